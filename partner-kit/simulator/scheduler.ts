/**
 * The simulator's timers (CommandResult delay, session updates, status changes) go through a
 * scheduler, so a test moves time by hand instead of sleeping.
 */
export interface Timer {
  cancel(): void;
}

export interface Scheduler {
  after(ms: number, job: () => Promise<void> | void): Timer;
  every(ms: number, job: () => Promise<void> | void): Timer;
  /** Cancels every timer and waits for jobs already running. */
  stop(): Promise<void>;
}

/** Real timers. A job's failure is reported, never thrown into the event loop. */
export function realScheduler(onError: (err: unknown) => void): Scheduler {
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  const run = (job: () => Promise<void> | void) => {
    const p = Promise.resolve()
      .then(job)
      .catch(onError)
      .finally(() => running.delete(p));
    running.add(p);
  };
  return {
    after(ms, job) {
      const t = setTimeout(() => {
        timers.delete(t);
        run(job);
      }, ms);
      timers.add(t);
      return { cancel: () => (clearTimeout(t), timers.delete(t)) };
    },
    every(ms, job) {
      const t = setInterval(() => run(job), ms);
      timers.add(t);
      return { cancel: () => (clearInterval(t), timers.delete(t)) };
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...running]);
    },
  };
}

export interface ManualScheduler extends Scheduler {
  /** Moves time forward by `ms` (and the clock given, if any), running each job as it falls due, in order, awaited. */
  advance(ms: number): Promise<void>;
  /** Jobs waiting. */
  pending(): number;
  /** What jobs threw, in order (a job's failure does not stop time). */
  errors: unknown[];
}

/** Time that moves only when the test says so; `clock` (e.g. the hub's TestClock) moves along. */
export function manualScheduler(clock?: { advance(ms: number): void }): ManualScheduler {
  let now = 0;
  let seq = 0;
  const jobs = new Map<number, { at: number; every?: number; job: () => Promise<void> | void }>();
  const add = (at: number, job: () => Promise<void> | void, every?: number): Timer => {
    const id = seq++;
    jobs.set(id, { at, every, job });
    return { cancel: () => jobs.delete(id) };
  };
  const errors: unknown[] = [];
  return {
    errors,
    after: (ms, job) => add(now + ms, job),
    every: (ms, job) => add(now + ms, job, ms),
    async stop() {
      jobs.clear();
    },
    pending: () => jobs.size,
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...jobs.entries()].filter(([, j]) => j.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
        if (!due) break;
        const [id, j] = due;
        if (j.at > now) {
          clock?.advance(j.at - now);
          now = j.at;
        }
        if (j.every) j.at += j.every;
        else jobs.delete(id);
        try {
          await j.job();
        } catch (err) {
          errors.push(err);
        }
      }
      if (end > now) clock?.advance(end - now);
      now = end;
    },
  };
}
