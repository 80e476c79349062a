/** The partner record as the rest of the hub sees it: other folders import this, not entities.ts. */
export { PARTNER_STATUSES, PartnerEntity, partnerEntities } from './entities.ts';
export type { Partner, TokenEncoding } from './entities.ts';
export { recordStaleness } from './map-visibility.ts';
