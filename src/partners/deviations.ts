import type { Orm } from '../db/orm.ts';
import type { Logger } from '../observability/log.ts';
import type { Deviation } from '../ocpi/versions/index.ts';

/**
 * Unknown fields and tolerated deviations, counted per partner so operations can show a CPO
 * what it sends beyond the specification. Counts are gathered in memory and written in one
 * statement per flush (never on the request's path); the first time a name is seen for a
 * partner it is logged.
 */
export interface DeviationLog {
  record(partnerId: string, deviations: Deviation[], now: Date): void;
  /** Writes what is pending; the partner view calls it so its counts are current. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  partnerId: string;
  deviation: Deviation;
  count: number;
  firstAt: Date;
  lastAt: Date;
}

const FLUSH_MS = 2_000;

export function createDeviationLog(orm: Orm, log: Logger): DeviationLog {
  let pending = new Map<string, Pending>();
  let writing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => void flush().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'partner deviation counts not written; kept for the next flush')), FLUSH_MS);
  timer.unref();

  async function write(batch: Pending[]): Promise<void> {
    if (!batch.length) return;
    const rows: { partner_id: string; kind: string; object: string; name: string; inserted: boolean }[] = await orm.em.getConnection().execute(
      // One JSON parameter for the batch: the query builder would spread JS arrays into lists of scalars.
      `insert into partner_deviations as d (partner_id, kind, object, name, count, first_seen_at, last_seen_at)
         select partner_id, kind, object, name, count, first_seen_at, last_seen_at
           from jsonb_to_recordset(?::jsonb) as b(partner_id uuid, kind text, object text, name text, count bigint, first_seen_at timestamptz, last_seen_at timestamptz)
       on conflict (partner_id, kind, object, name) do update set
         count = d.count + excluded.count,
         last_seen_at = greatest(d.last_seen_at, excluded.last_seen_at)
       returning partner_id, kind, object, name, (xmax = 0) as inserted`,
      [
        JSON.stringify(
          batch.map((p) => ({
            partner_id: p.partnerId,
            kind: p.deviation.kind,
            object: p.deviation.object,
            name: p.deviation.name,
            count: p.count,
            first_seen_at: p.firstAt.toISOString(),
            last_seen_at: p.lastAt.toISOString(),
          })),
        ),
      ],
    );
    for (const row of rows.filter((r) => r.inserted)) {
      log.info({ partnerId: row.partner_id, deviation: row.kind, object: row.object, name: row.name }, row.kind === 'UNKNOWN_FIELD' ? 'partner sends a field OCPI does not define: kept, not interpreted' : 'partner relies on a tolerance');
    }
  }

  function flush(): Promise<void> {
    const batch = [...pending.values()];
    pending = new Map();
    // One write at a time, in order; a failed batch goes back to pending.
    writing = writing.then(() =>
      write(batch).catch((err: unknown) => {
        for (const p of batch) add(p.partnerId, p.deviation, p.count, p.firstAt, p.lastAt);
        throw err;
      }),
    );
    return writing;
  }

  function add(partnerId: string, deviation: Deviation, count: number, firstAt: Date, lastAt: Date): void {
    const key = `${partnerId}\u0000${deviation.kind}\u0000${deviation.object}\u0000${deviation.name}`;
    const current = pending.get(key);
    if (current) {
      current.count += count;
      if (lastAt > current.lastAt) current.lastAt = lastAt;
    } else pending.set(key, { partnerId, deviation, count, firstAt, lastAt });
  }

  return {
    record(partnerId, deviations, now) {
      for (const deviation of deviations) add(partnerId, deviation, 1, now, now);
    },
    // The view still answers when the counts cannot be written; they stay pending for the next flush.
    flush: () => flush().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'partner deviation counts not written; kept for the next flush')),
    async close() {
      clearInterval(timer);
      await flush().catch(() => {});
    },
  };
}

export interface DeviationView {
  kind: string;
  object: string;
  name: string;
  count: number;
  first_seen_at: Date;
  last_seen_at: Date;
}

export async function partnerDeviations(orm: Orm, partnerId: string): Promise<DeviationView[]> {
  const rows: { kind: string; object: string; name: string; count: string; first_seen_at: string | Date; last_seen_at: string | Date }[] = await orm.em
    .getConnection()
    .execute('select kind, object, name, count, first_seen_at, last_seen_at from partner_deviations where partner_id = ? order by kind, object, name', [partnerId]);
  return rows.map((r) => ({ kind: r.kind, object: r.object, name: r.name, count: Number(r.count), first_seen_at: new Date(r.first_seen_at), last_seen_at: new Date(r.last_seen_at) }));
}
