import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** What the simulator's `ready` line says about it. */
export interface SimulatorReady {
  versionsUrl: string;
  locations: number;
  center: { latitude: number; longitude: number };
}

export interface SimulatorProcess {
  ready: Promise<SimulatorReady>;
  stop(): Promise<void>;
}

const BIN = fileURLToPath(new URL('../../bin/ocpi-hub.js', import.meta.url));

/**
 * Runs `ocpi-hub simulate-cpo` as a child process: a separate process talking HTTP to the
 * hub, as a partner's CPO would. Its lines are passed on with a prefix; its `ready` line
 * resolves `ready`. Token A goes through the environment, not the argument list, which
 * every user of the machine can read in `ps`.
 */
export function startSimulatorProcess(args: string[], tokenA: string, print: (line: string) => void): SimulatorProcess {
  const child = spawn(process.execPath, [BIN, 'simulate-cpo', ...args], {
    env: { ...process.env, SIMULATOR_TOKEN_A: tokenA },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<SimulatorReady>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      print(`simulator │ ${line}`);
      const parsed = parseReady(line);
      if (parsed) resolve(parsed);
    });
    createInterface({ input: child.stderr! }).on('line', (line) => print(`simulator │ ${line}`));
    void exited.then((code) => reject(new Error(`the simulator exited (code ${code}) before it was ready`)));
  });
  // Once ready, a later exit is only reported (by its lines); the rejection must not go unhandled.
  ready.catch(() => undefined);
  return {
    ready,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await stopWithin(child, exited, 5_000);
    },
  };
}

/** `ready versions=URL locations=N center=LAT,LON` */
export function parseReady(line: string): SimulatorReady | undefined {
  if (!line.startsWith('ready ')) return undefined;
  const fields = new Map(line.slice(6).trim().split(/\s+/).map((pair) => pair.split('=', 2) as [string, string]));
  const [latitude, longitude] = (fields.get('center') ?? '').split(',').map(Number);
  const versionsUrl = fields.get('versions');
  const locations = Number(fields.get('locations'));
  if (!versionsUrl || !Number.isFinite(latitude) || !Number.isFinite(longitude) || !Number.isInteger(locations)) return undefined;
  return { versionsUrl, locations, center: { latitude: latitude!, longitude: longitude! } };
}

async function stopWithin(child: ChildProcess, exited: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  if ((await Promise.race([exited, late])) === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}
