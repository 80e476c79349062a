import { DriverException } from '@mikro-orm/core';
import type { Logger } from './log.ts';

/**
 * Database failures, logged without their SQL or its parameters (which carry request bodies:
 * driver uids, contract ids), and once per burst: the first error is logged when it happens,
 * the rest are counted, and when none has come for `quietMs` one line says how many there
 * were. An outage that fails every request thus writes two lines, not one per request.
 */
export interface DatabaseErrorLog {
  /** Logs or counts `err` if it is a database failure and returns true; false for anything else. */
  absorb(err: unknown, log?: Logger): boolean;
  /** Ends the current burst now (its count logged); at hub stop, and for tests. */
  flush(): void;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);

/** `server`: the database's address, so that a refused connection to it counts as a database error. */
export function isDatabaseError(err: unknown, server?: { host: string; port: number }): boolean {
  if (!err || typeof err !== 'object') return false;
  const net = err as { syscall?: unknown; port?: unknown; address?: unknown };
  if (server && net.syscall === 'connect' && Number(net.port) === server.port) return true;
  if (err instanceof DriverException) return true;
  const e = err as { name?: unknown; code?: unknown; message?: unknown; severity?: unknown };
  if (e.name === 'KnexTimeoutError' || /^Knex: Timeout acquiring a connection/.test(String(e.message ?? ''))) return true;
  if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code) && typeof e.severity !== 'undefined') return true;
  // node-postgres' DatabaseError: a severity and a five-character SQLSTATE.
  return typeof e.severity === 'string' && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code);
}

/**
 * What may be logged of a database error: its class, codes and the server's (or driver's)
 * message with any SQL cut off. MikroORM/knex messages read `<sql with parameters> - <reason>`.
 * Never `detail`, `where`, `parameters` or `sql`: they quote values.
 */
export function describeDatabaseError(err: unknown): { type: string; code?: string; sqlState?: string; message: string } {
  const e = err as { name?: string; code?: unknown; sqlState?: unknown; message?: unknown };
  const message = String(e.message ?? '');
  const cut = message.lastIndexOf(' - ');
  const reason = (cut >= 0 ? message.slice(cut + 3) : message).slice(0, 300);
  const looksLikeSql = /^\s*(select|insert|update|delete|with|begin|commit|rollback|set|lock|alter|create)\b/i.test(reason);
  return {
    type: e.name ?? 'Error',
    ...(typeof e.code === 'string' || typeof e.code === 'number' ? { code: String(e.code) } : {}),
    ...(typeof e.sqlState === 'string' ? { sqlState: e.sqlState } : {}),
    message: looksLikeSql ? '(statement text withheld)' : reason,
  };
}

export function createDatabaseErrorLog(log: Logger, options: { quietMs?: number; url?: string } = {}): DatabaseErrorLog {
  const parsed = options.url ? new URL(options.url) : undefined;
  const server = parsed ? { host: parsed.hostname, port: Number(parsed.port || 5432) } : undefined;
  const quietMs = options.quietMs ?? 10_000;
  let burst: { count: number; since: Date; last: number; codes: Map<string, number>; timer?: NodeJS.Timeout } | undefined;

  const close = () => {
    if (!burst) return;
    clearTimeout(burst.timer);
    const { count, since, codes } = burst;
    burst = undefined;
    log.warn({ db: { count, since: since.toISOString(), until: new Date().toISOString(), codes: Object.fromEntries(codes) } }, `database errors: ${count} in this burst, now none for ${Math.round(quietMs / 1000)} s`);
  };
  const arm = () => {
    if (!burst) return;
    const left = burst.last + quietMs - performance.now();
    burst.timer = setTimeout(() => (left > 0 && burst && performance.now() - burst.last < quietMs ? arm() : close()), Math.max(left, 1));
    burst.timer.unref();
  };

  return {
    absorb(err, where = log) {
      if (!isDatabaseError(err, server)) return false;
      const described = describeDatabaseError(err);
      const key = described.code ?? described.type;
      if (burst) {
        burst.count += 1;
        burst.last = performance.now();
        burst.codes.set(key, (burst.codes.get(key) ?? 0) + 1);
        return true;
      }
      burst = { count: 1, since: new Date(), last: performance.now(), codes: new Map([[key, 1]]) };
      where.error({ db: described }, 'database error: further ones are counted until they stop');
      arm();
      return true;
    },
    flush: close,
  };
}
