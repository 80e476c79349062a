/**
 * Runs the writers of one key one after another inside this process. A database lock alone
 * serialises them too, but every waiter would hold a pooled connection while it waits: 50
 * concurrent first PUTs of one location would take the pool and starve the one transaction
 * that holds the lock. Across instances the transaction lock still decides.
 */
const tails = new Map<string, Promise<unknown>>();

export function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  const run = previous.then(work, work);
  const tail = run.catch(() => undefined);
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return run;
}
