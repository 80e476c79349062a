import { Migration0001Foundation } from './0001-foundation.ts';
import { Migration0002Locations } from './0002-locations.ts';
import { Migration0003Tariffs } from './0003-tariffs.ts';
import { Migration0004Tokens } from './0004-tokens.ts';
import { Migration0005Sessions } from './0005-sessions.ts';
import { Migration0006ExceptionTickets } from './0006-exception-tickets.ts';
import { Migration0007Charging } from './0007-charging.ts';
import { Migration0008Settlement } from './0008-settlement.ts';
import { Migration0010ReviewRejections } from './0010-review-rejections.ts';
import { Migration0011PartnerVersions } from './0011-partner-versions.ts';
import { Migration0012Freshness } from './0012-freshness.ts';
import { Migration0013AuthAttempts } from './0013-auth-attempts.ts';
import { Migration0014CommandRetry } from './0014-command-retry.ts';
import { Migration0015Sandbox } from './0015-sandbox.ts';

/** Every migration, in order. Listed here rather than discovered by glob, which breaks under tsx. */
export const migrations = [
  { name: '0001-foundation', class: Migration0001Foundation },
  { name: '0002-locations', class: Migration0002Locations },
  { name: '0003-tariffs', class: Migration0003Tariffs },
  { name: '0004-tokens', class: Migration0004Tokens },
  { name: '0005-sessions', class: Migration0005Sessions },
  { name: '0006-exception-tickets', class: Migration0006ExceptionTickets },
  { name: '0007-charging', class: Migration0007Charging },
  { name: '0008-settlement', class: Migration0008Settlement },
  { name: '0010-review-rejections', class: Migration0010ReviewRejections },
  { name: '0011-partner-versions', class: Migration0011PartnerVersions },
  { name: '0012-freshness', class: Migration0012Freshness },
  { name: '0013-auth-attempts', class: Migration0013AuthAttempts },
  { name: '0014-command-retry', class: Migration0014CommandRetry },
  { name: '0015-sandbox', class: Migration0015Sandbox },
];
