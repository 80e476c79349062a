/** The tariffs adapter's face: the tariff in force for a connector, and when. */
export { tariffForConnector } from './for-connector.ts';
export { currentTariff } from './history.ts';
