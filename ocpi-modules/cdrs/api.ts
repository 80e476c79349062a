/**
 * The CDRs adapter's face: the stored CDR and its settlement trail (charging/ settles them),
 * the pull of a CPO's CDRs, and the checks a CDR passes. Nothing else of this folder is imported elsewhere.
 */
export { CdrEntity, CdrEventEntity, ReconciliationLineEntity, ReconciliationRunEntity, cdrKey } from './entities.ts';
export type { CdrRecord, CdrState, ReconciliationRun, TariffSource } from './entities.ts';
export { pullCdrs } from './pull.ts';
export { contentHash } from './store.ts';
export { checkCdr } from './validation.ts';
