/** The tariffs adapter's face: the tariff in force for a connector, and when; which tariffs the hub holds. */
export { tariffForConnector } from './for-connector.ts';
export { currentTariff } from './history.ts';
export { heldTariffIds } from './held.ts';
