import type { Logger } from '../observability/log.ts';

/**
 * Work that goes on after the HTTP answer (a command still being sent when the app got its
 * 202). Each piece is tracked, so that stopping the hub waits for it before the database
 * closes under it; a failure is logged, never thrown at nobody.
 */
export interface Background {
  /** Starts `fn` now and tracks it; the promise settles when it is done (never rejects). */
  run(name: string, fn: () => Promise<unknown>): Promise<void>;
  /** How many pieces are in flight. */
  readonly inFlight: number;
  /** Resolves once everything started so far (and anything those start) has finished. */
  drain(): Promise<void>;
}

export function createBackground(log: Logger): Background {
  const running = new Set<Promise<void>>();
  return {
    run(name, fn) {
      const task = (async () => {
        try {
          await fn();
        } catch (err) {
          log.error({ err, task: name }, 'background work failed');
        }
      })();
      running.add(task);
      void task.finally(() => running.delete(task));
      return task;
    },
    get inFlight() {
      return running.size;
    },
    async drain() {
      while (running.size) await Promise.all([...running]);
    },
  };
}

/**
 * Waits for `work` at most until `deadline` (a performance.now() value): true if it finished,
 * false if the time ran out first (the work goes on).
 */
export async function settledBy(work: Promise<unknown>, deadline: number): Promise<boolean> {
  const left = deadline - performance.now();
  if (left <= 0) return false;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), left);
  });
  try {
    return await Promise.race([work.then(() => true as const, () => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
