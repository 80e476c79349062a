import { Migration0001Foundation } from './0001-foundation.ts';
import { Migration0006ExceptionTickets } from './0006-exception-tickets.ts';
import { Migration0011PartnerVersions } from './0011-partner-versions.ts';
import { Migration0012Freshness } from './0012-freshness.ts';
import { Migration0013AuthAttempts } from './0013-auth-attempts.ts';
import { Migration0015Sandbox } from './0015-sandbox.ts';

import type { MigrationEntry } from '../orm.ts';

/**
 * The core's migrations (partners, auth, tickets, sandbox). Each module lists its own in its
 * registration; the hub runs them all in the order of their names, whose numbers are one
 * sequence across modules (a new migration takes the next free number, whoever owns it).
 * Listed rather than discovered by glob, which breaks under tsx. 0008, 0011 and 0012 predate
 * the split and touch tables of several owners: they stay whole, under the name existing
 * databases recorded.
 */
export const coreMigrations: MigrationEntry[] = [
  { name: '0001-foundation', class: Migration0001Foundation },
  { name: '0006-exception-tickets', class: Migration0006ExceptionTickets },
  { name: '0011-partner-versions', class: Migration0011PartnerVersions },
  { name: '0012-freshness', class: Migration0012Freshness },
  { name: '0013-auth-attempts', class: Migration0013AuthAttempts },
  { name: '0015-sandbox', class: Migration0015Sandbox },
];
