import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Consecutive failed authentications per client address, kept in PostgreSQL so every hub
 * instance agrees. Reaching the limit locks the address out for a while, even with a valid
 * credential; a success clears the count.
 */
export interface LockoutPolicy {
  failures: number;
  minutes: number;
}

export interface FailureState {
  /** The lock's end while the address is locked out. */
  lockedUntil?: Date;
  /** Whether failures are on record (so a success has something to clear). */
  counted: boolean;
}

export async function failureState(em: EntityManager, ip: string, now: Date): Promise<FailureState> {
  const rows: { locked_until: string | Date | null }[] = await em.getConnection().execute('select locked_until from auth_failures where ip = ?', [ip]);
  if (!rows.length) return { counted: false };
  const until = asDate(rows[0]!.locked_until);
  return { counted: true, lockedUntil: until && until > now ? until : undefined };
}

/** Counts one failure; returns the lock's end when this failure started a lockout. */
export async function recordFailure(em: EntityManager, ip: string, now: Date, policy: LockoutPolicy): Promise<Date | undefined> {
  const lockEnd = new Date(now.getTime() + policy.minutes * 60_000);
  const rows: { consecutive: number; locked_until: string | Date | null }[] = await em.getConnection().execute(
    `insert into auth_failures as f (ip, consecutive, last_failure_at, locked_until)
       values (?, 1, ?, case when 1 >= ? then ?::timestamptz end)
     on conflict (ip) do update set
       consecutive = case when f.locked_until is not null and f.locked_until <= excluded.last_failure_at then 1 else f.consecutive + 1 end,
       last_failure_at = excluded.last_failure_at,
       locked_until = case
         when f.locked_until is not null and f.locked_until > excluded.last_failure_at then f.locked_until
         when (case when f.locked_until is not null and f.locked_until <= excluded.last_failure_at then 1 else f.consecutive + 1 end) >= ? then ?::timestamptz
         else null end
     returning consecutive, locked_until`,
    [ip, now, policy.failures, lockEnd, policy.failures, lockEnd],
  );
  const row = rows[0];
  return row && row.consecutive === policy.failures && asDate(row.locked_until)?.getTime() === lockEnd.getTime() ? lockEnd : undefined;
}

export async function clearFailures(em: EntityManager, ip: string): Promise<void> {
  await em.getConnection().execute('delete from auth_failures where ip = ?', [ip]);
}

// Raw queries through MikroORM return timestamptz as text.
function asDate(value: string | Date | null | undefined): Date | undefined {
  return value == null ? undefined : new Date(value);
}
