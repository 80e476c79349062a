/**
 * The locations adapter's face: the chargers as stored (read by charging/), the status the
 * app is shown (freshness), and the one write another folder may ask for: the status a
 * CommandResult tells.
 */
export { connectorPowerKw } from './connector-power.ts';
export { EvseEntity, LocationEntity } from './entities.ts';
export type { EvseJson, LocationJson } from './entities.ts';
export { currentStatus } from './freshness.ts';
export { showEvseStatus } from './command-status.ts';
