import type { OcpiModule } from '../../src/ocpi/module.ts';
import { TokenEntity } from './entities.ts';
import { findToken, TOKEN_TYPES } from './store.ts';
import type { TokenType } from '../../src/ocpi/types.ts';
import { tokenRoutes } from './routes.ts';
import { appTokensRouter } from './app-api.ts';
import { Migration0004Tokens } from './migrations/0004-tokens.ts';

/** Tokens, as SENDER: our users' tokens, pulled by CPOs and authorized in real time. */
export const tokensModule: OcpiModule = {
  identifier: 'tokens',
  endpoint: { path: 'tokens', roles: ['SENDER'] },
  routes: tokenRoutes,
  entities: [TokenEntity],
  migrations: [{ name: '0004-tokens', class: Migration0004Tokens }],
  apiRouters: (services) => [appTokensRouter(services)],
  async tokenParty(em, uid, type) {
    const record = TOKEN_TYPES.includes(type as TokenType) ? await findToken(em, uid, type as TokenType) : undefined;
    return record ? { country_code: record.body.country_code, party_id: record.body.party_id } : undefined;
  },
};
