import { parseArgs } from 'node:util';
import { withValuesJoined } from '../../src/command-line.ts';
import { FAULT_MODES, type FaultMode } from './faults.ts';

/** Everything `simulate-cpo` can be told; the CLI flags map one to one. */
export interface SimulatorOptions {
  hubVersionsUrl: string;
  tokenA: string;
  countryCode: string;
  partyId: string;
  host: string;
  /** 0: a free port. */
  port: number;
  /** Where the hub reaches us (default http://host:port once listening). */
  publicUrl?: string;
  locations: number;
  center: { latitude: number; longitude: number };
  /** Seconds between EVSE status changes of idle EVSEs; 0 = none. */
  statusIntervalSeconds: number;
  resultDelayMs: number;
  sessionUpdateSeconds: number;
  fault: FaultMode;
  evseFaults: Record<string, FaultMode>;
  seed: number;
  ocpiVersion: '2.2' | '2.2.1';
  /** How long `slow` waits before answering a command: past the hub's default 15 s command timeout. */
  slowSeconds: number;
  /**
   * The token it hands the hub (OCPI's token B), so a conformance run can be pointed at it;
   * from the environment only (SIMULATOR_TOKEN_B), never a flag `ps` would show. Default: random.
   */
  tokenB?: string;
}

const DEFAULTS = {
  countryCode: 'NL',
  partyId: 'SIM',
  host: '127.0.0.1',
  port: 0,
  locations: 3,
  center: { latitude: 52.3676, longitude: 4.9041 },
  statusIntervalSeconds: 20,
  resultDelayMs: 1000,
  sessionUpdateSeconds: 5,
  fault: 'happy' as FaultMode,
  seed: 1,
  ocpiVersion: '2.2.1' as const,
  slowSeconds: 20,
};

/** Options as a program passes them: only the hub and token A are required. */
export type SimulatorInput = Pick<SimulatorOptions, 'hubVersionsUrl' | 'tokenA'> & Partial<SimulatorOptions>;

export function withDefaults(input: SimulatorInput): SimulatorOptions {
  return { ...DEFAULTS, evseFaults: {}, ...input, center: input.center ?? DEFAULTS.center };
}

export const USAGE = `usage: ocpi-hub simulate-cpo --hub-versions-url URL [--token-a TOKEN] [options]

A simulated OCPI 2.2.1 CPO: registers with the hub (token A, or env SIMULATOR_TOKEN_A), pushes
locations and tariffs, serves its senders, answers commands and runs the sessions it starts.

  --hub-versions-url URL      the hub's versions endpoint (required)
  --token-a TOKEN             token A from the hub operator (default: env SIMULATOR_TOKEN_A)
  --country-code CC           default NL
  --party-id PPP              default SIM
  --host HOST                 listen address, default 127.0.0.1
  --port N                    default 0 (a free port)
  --public-url URL            how the hub reaches us, default http://HOST:PORT
  --locations N               default 3
  --center LAT,LON            default 52.3676,4.9041 (Amsterdam); locations within ~3 km
  --status-interval SECONDS   EVSE status changes of idle EVSEs, default 20, 0 = off
  --result-delay-ms MS        CommandResult after, default 1000
  --session-update-seconds S  session PATCH every, default 5
  --fault MODE                for the whole run: ${FAULT_MODES.join(', ')}
  --evse-fault UID=MODE       for one EVSE (repeatable)
  --seed N                    default 1
  --ocpi-version 2.2|2.2.1    2.2 sends and accepts raw tokens (no base64), as 2.2 CPOs did; default 2.2.1
  --slow-seconds S            how long 'slow' waits before answering a command, default 20
  --help

Environment: SIMULATOR_TOKEN_A (token A), SIMULATOR_TOKEN_B (the token it hands the hub, default
random: set it to point \`ocpi-hub conformance --suite cpo-endpoints\` at this simulator).`;

export class OptionsError extends Error {}

/** The CLI's flags (and SIMULATOR_TOKEN_A) as options; `'help'` when help was asked for. */

const FLAGS = {
  'hub-versions-url': { type: 'string' },
  'token-a': { type: 'string' },
  'country-code': { type: 'string' },
  'party-id': { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'public-url': { type: 'string' },
  locations: { type: 'string' },
  center: { type: 'string' },
  'status-interval': { type: 'string' },
  'result-delay-ms': { type: 'string' },
  'session-update-seconds': { type: 'string' },
  fault: { type: 'string' },
  'evse-fault': { type: 'string', multiple: true },
  seed: { type: 'string' },
  'ocpi-version': { type: 'string' },
  'slow-seconds': { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** The CLI's flags (and SIMULATOR_TOKEN_A) as options; `'help'` when help was asked for. */
export function parseSimulatorArgs(args: string[], env: Record<string, string | undefined> = process.env): SimulatorOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: withValuesJoined(args, FLAGS),
      strict: true,
      options: FLAGS,
    }).values;
  } catch (err) {
    throw new OptionsError((err as Error).message);
  }
  if (parsed.help) return 'help';
  const hubVersionsUrl = parsed['hub-versions-url'];
  if (!hubVersionsUrl) throw new OptionsError('--hub-versions-url: is required');
  if (!/^https?:\/\//.test(hubVersionsUrl)) throw new OptionsError(`--hub-versions-url: must be an http(s) URL, got "${hubVersionsUrl}"`);
  const tokenA = parsed['token-a'] ?? env.SIMULATOR_TOKEN_A;
  if (!tokenA) throw new OptionsError('--token-a: is required (or set SIMULATOR_TOKEN_A)');
  const tokenB = env.SIMULATOR_TOKEN_B;
  // A credentials token is an OCPI string(64) of printable ASCII; a short one is a guessable one.
  if (tokenB !== undefined && !/^[\x21-\x7e]{16,64}$/.test(tokenB)) throw new OptionsError('SIMULATOR_TOKEN_B: must be 16 to 64 printable characters without spaces');
  const number = (flag: string, value: string | undefined, fallback: number, check: (n: number) => boolean, what: string) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!value.trim() || !Number.isFinite(n) || !check(n)) throw new OptionsError(`--${flag}: must be ${what}, got "${value}"`);
    return n;
  };
  const whole = (n: number) => Number.isInteger(n) && n >= 0;
  const options: SimulatorOptions = {
    hubVersionsUrl,
    tokenA,
    countryCode: code('country-code', parsed['country-code'], DEFAULTS.countryCode, /^[A-Z]{2}$/),
    partyId: code('party-id', parsed['party-id'], DEFAULTS.partyId, /^[A-Z0-9]{3}$/),
    host: parsed.host ?? DEFAULTS.host,
    port: number('port', parsed.port, DEFAULTS.port, (n) => whole(n) && n <= 65535, 'a port number'),
    locations: number('locations', parsed.locations, DEFAULTS.locations, (n) => whole(n) && n >= 1 && n <= 10_000, 'a whole number from 1 to 10000'),
    center: center(parsed.center),
    statusIntervalSeconds: number('status-interval', parsed['status-interval'], DEFAULTS.statusIntervalSeconds, (n) => n >= 0, 'a number of seconds (0 = off)'),
    resultDelayMs: number('result-delay-ms', parsed['result-delay-ms'], DEFAULTS.resultDelayMs, whole, 'a whole number of milliseconds'),
    sessionUpdateSeconds: number('session-update-seconds', parsed['session-update-seconds'], DEFAULTS.sessionUpdateSeconds, (n) => n > 0, 'a positive number of seconds'),
    fault: mode('fault', parsed.fault ?? DEFAULTS.fault),
    evseFaults: evseFaults(parsed['evse-fault'] ?? []),
    seed: number('seed', parsed.seed, DEFAULTS.seed, Number.isInteger, 'a whole number'),
    ocpiVersion: version(parsed['ocpi-version']),
    slowSeconds: number('slow-seconds', parsed['slow-seconds'], DEFAULTS.slowSeconds, (n) => n >= 0, 'a number of seconds'),
    ...(tokenB === undefined ? {} : { tokenB }),
  };
  if (parsed['public-url'] !== undefined) {
    if (!/^https?:\/\/[^/]+/.test(parsed['public-url'])) throw new OptionsError(`--public-url: must be an http(s) URL, got "${parsed['public-url']}"`);
    options.publicUrl = parsed['public-url'].replace(/\/+$/, '');
  }
  return options;
}

function code(flag: string, value: string | undefined, fallback: string, pattern: RegExp): string {
  if (value === undefined) return fallback;
  if (!pattern.test(value)) throw new OptionsError(`--${flag}: "${value}" does not match ${pattern.source}`);
  return value;
}

function center(value: string | undefined): SimulatorOptions['center'] {
  if (value === undefined) return DEFAULTS.center;
  const parts = value.split(',').map((p) => p.trim());
  const [latitude, longitude] = parts.map(Number);
  if (parts.length !== 2 || !parts.every((p) => p !== '') || !Number.isFinite(latitude) || !Number.isFinite(longitude) || Math.abs(latitude!) > 89 || Math.abs(longitude!) > 180) {
    throw new OptionsError(`--center: must be LAT,LON in degrees such as 52.3676,4.9041, got "${value}"`);
  }
  return { latitude: latitude!, longitude: longitude! };
}

function mode(flag: string, value: string): FaultMode {
  if (!(FAULT_MODES as readonly string[]).includes(value)) throw new OptionsError(`--${flag}: "${value}" is not a fault mode (${FAULT_MODES.join(', ')})`);
  return value as FaultMode;
}

function evseFaults(values: string[]): Record<string, FaultMode> {
  const faults: Record<string, FaultMode> = {};
  for (const value of values) {
    const at = value.lastIndexOf('=');
    if (at <= 0) throw new OptionsError(`--evse-fault: must be EVSE_UID=MODE, got "${value}"`);
    faults[value.slice(0, at)] = mode('evse-fault', value.slice(at + 1));
  }
  return faults;
}

function version(value: string | undefined): '2.2' | '2.2.1' {
  if (value === undefined || value === '2.2.1') return '2.2.1';
  if (value === '2.2') return '2.2';
  throw new OptionsError(`--ocpi-version: must be 2.2 or 2.2.1, got "${value}"`);
}
