/** The tokens adapter's face: our tokens, found and written. */
export { TokenEntity, tokenKey } from './entities.ts';
export type { TokenRecord } from './entities.ts';
export { TOKEN_TYPES, findOurToken, putToken } from './store.ts';
