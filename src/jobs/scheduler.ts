import { createHash } from 'node:crypto';
import cron from 'node-cron';
import type { Services } from '../services.ts';

/**
 * Periodic jobs. Each tick runs on one instance only: the job takes a PostgreSQL advisory
 * lock for the length of the run, and other instances skip that tick. Jobs are plain
 * functions of the services (and so of the clock), so tests call `runJob` directly.
 */
export interface Job {
  name: string;
  /** Cron expression, usually from configuration. */
  schedule(config: Services['config']): string;
  run(services: Services): Promise<void>;
}

function lockKey(name: string): bigint {
  return createHash('sha256').update(`ocpi-hub-job:${name}`).digest().readBigInt64BE(0);
}

/**
 * Runs `work` while holding the PostgreSQL advisory lock `name`, unless another session holds it
 * (then `work` does not run: `{ ran: false }`), or, with `wait`, once that session lets it go.
 */
export async function withLock<T>(services: Services, name: string, work: () => Promise<T>, options: { wait?: boolean } = {}): Promise<{ ran: true; value: T } | { ran: false }> {
  const knex = services.orm.em.getKnex();
  const conn = await knex.client.acquireConnection();
  const key = lockKey(name).toString();
  try {
    const result = options.wait
      ? await conn.query('select true as ok from pg_advisory_lock($1::bigint)', [key])
      : await conn.query('select pg_try_advisory_lock($1::bigint) as ok', [key]);
    if (!result.rows[0]?.ok) return { ran: false };
    try {
      return { ran: true, value: await work() };
    } finally {
      await conn.query('select pg_advisory_unlock($1::bigint)', [key]);
    }
  } finally {
    await knex.client.releaseConnection(conn);
  }
}

/** Runs the job now unless another instance holds its lock; returns whether it ran. */
export async function runJob(services: Services, job: Job): Promise<boolean> {
  return (await withLock(services, job.name, () => job.run(services))).ran;
}

export interface Scheduler {
  stop(): Promise<void>;
}

export function startScheduler(services: Services, jobs: Job[]): Scheduler {
  // Runs in flight, so that stopping waits for them before the database closes under them.
  const running = new Set<Promise<void>>();
  const tasks = jobs.map((job) =>
    cron.schedule(
      job.schedule(services.config),
      async () => {
        const started = performance.now();
        const run = (async () => {
          try {
            const ran = await runJob(services, job);
            if (ran) services.log.debug({ job: job.name, ms: Math.round(performance.now() - started) }, 'job ran');
          } catch (err) {
            if (!services.dbErrors.absorb(err)) services.log.error({ job: job.name, err }, 'job failed');
          }
        })();
        running.add(run);
        await run;
        running.delete(run);
      },
      { name: job.name, noOverlap: true },
    ),
  );
  return {
    async stop() {
      await Promise.all(tasks.map((task) => task.stop()));
      await Promise.all(running);
    },
  };
}
