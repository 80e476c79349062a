import { OptionsError, USAGE, parseSimulatorArgs } from './options.ts';
import { startSimulator } from './index.ts';

/** `ocpi-hub simulate-cpo`: a thin wrapper over startSimulator; runs until SIGINT or SIGTERM, then exits 0. */
export async function run(args: string[]): Promise<number> {
  let options;
  try {
    options = parseSimulatorArgs(args);
  } catch (err) {
    if (!(err instanceof OptionsError)) throw err;
    process.stderr.write(`simulate-cpo: ${err.message}\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // Listening from the start: a Ctrl-C during the registration also ends in a clean exit.
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const starting = startSimulator(options);
  const first = await Promise.race([starting.then(() => undefined, () => undefined), signal]);
  // Stopped while registering: nothing of ours is worth waiting for (the process exits).
  if (first) return 0;
  let simulator;
  try {
    simulator = await starting;
  } catch (err) {
    process.stderr.write(`simulate-cpo: registration with ${options.hubVersionsUrl} failed: ${(err as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`${await signal}: stopping\n`);
  await simulator.stop();
  return 0;
}
