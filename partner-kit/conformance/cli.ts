import fs from 'node:fs';
import { withValuesJoined } from '../../src/command-line.ts';
import { parseArgs } from 'node:util';
import { runCpoSuite } from './suites/cpo.ts';
import { runCpoEndpointsSuite } from './suites/cpo-endpoints.ts';
import { ScenarioFileError } from './loader.ts';
import { junitXml } from './junit.ts';
import { line, summaryLine, type SuiteReport } from './report.ts';

/**
 * `ocpi-hub conformance`: runs a suite, prints one line per scenario and the summary
 * `N passed, N failed`, writes JUnit XML on --junit. Exit 0 when all passed, 1 when any failed,
 * 2 for a usage error or a broken scenario file. Tokens are never printed.
 */
export const USAGE = `usage: ocpi-hub conformance --suite cpo|cpo-endpoints [options]

  --suite cpo               play a CPO against a hub (ours or any OCPI 2.2.1 eMSP/hub):
    --versions-url URL        the hub's versions URL
    --token TOKEN_A           the token A the hub issued for this CPO
    --country-code CC         the party the hub onboarded this CPO as
    --party-id PID
    --public-url URL          how the hub reaches the runner's own CPO server (default http://127.0.0.1:PORT)
    --port N                  where that server listens (default: any free port)
    --host ADDRESS            the address it listens on (default 127.0.0.1; 0.0.0.0 to be reached from another machine)
    --scenarios DIR           scenario files (default: the shipped fixtures/conformance)
  --suite cpo-endpoints     check a partner CPO's own endpoints the way the hub will use them:
    --partner-versions-url URL
    --partner-token TOKEN     the token the CPO accepts from the hub
    --public-url URL, --port N, --host ADDRESS
                              where the runner serves the response_url for the CommandResult
  --junit FILE              also write JUnit XML for CI
  --timeout-ms N            per request (default 15000)`;

function usage(message: string): number {
  process.stderr.write(`${message}\n${USAGE}\n`);
  return 2;
}

/** The flags and their kinds (parseArgs and withValuesJoined read the same table). */
const FLAGS = {
  suite: { type: 'string' },
  'versions-url': { type: 'string' },
  token: { type: 'string' },
  'country-code': { type: 'string' },
  'party-id': { type: 'string' },
  'public-url': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  scenarios: { type: 'string' },
  'partner-versions-url': { type: 'string' },
  'partner-token': { type: 'string' },
  junit: { type: 'string' },
  'timeout-ms': { type: 'string' },
  help: { type: 'boolean' },
} as const;

export async function run(args: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: withValuesJoined(args, FLAGS),
      strict: true,
      allowPositionals: false,
      options: FLAGS,
    }).values;
  } catch (err) {
    return usage((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const str = (name: string) => values[name] as string | undefined;
  const port = str('port');
  if (port !== undefined && !/^\d{1,5}$/.test(port)) return usage(`--port: must be a port number, got "${port}"`);
  const timeout = str('timeout-ms');
  if (timeout !== undefined && !/^\d{1,7}$/.test(timeout)) return usage(`--timeout-ms: must be a number of milliseconds, got "${timeout}"`);
  const url = (name: string) => {
    const value = str(name);
    if (value === undefined) return undefined;
    try {
      const u = new URL(value);
      return u.protocol === 'http:' || u.protocol === 'https:' ? value : undefined;
    } catch {
      return undefined;
    }
  };
  for (const name of ['versions-url', 'partner-versions-url', 'public-url']) if (str(name) !== undefined && !url(name)) return usage(`--${name}: must be an http(s) URL`);

  const common = { port: port === undefined ? undefined : Number(port), publicUrl: str('public-url'), host: str('host'), timeoutMs: timeout === undefined ? undefined : Number(timeout), onResult: (r: Parameters<typeof line>[0]) => process.stdout.write(`${line(r)}\n`) };
  let report: SuiteReport;
  try {
    if (str('suite') === 'cpo') {
      const missing = ['versions-url', 'token', 'country-code', 'party-id'].filter((n) => !str(n));
      if (missing.length) return usage(`--suite cpo needs ${missing.map((m) => `--${m}`).join(', ')}`);
      report = await runCpoSuite({ ...common, versionsUrl: str('versions-url')!, tokenA: str('token')!, countryCode: str('country-code')!, partyId: str('party-id')!, scenariosDir: str('scenarios') });
    } else if (str('suite') === 'cpo-endpoints') {
      const missing = ['partner-versions-url', 'partner-token'].filter((n) => !str(n));
      if (missing.length) return usage(`--suite cpo-endpoints needs ${missing.map((m) => `--${m}`).join(', ')}`);
      report = await runCpoEndpointsSuite({ ...common, versionsUrl: str('partner-versions-url')!, token: str('partner-token')! });
    } else return usage(str('suite') === undefined ? '--suite is required' : `--suite: must be cpo or cpo-endpoints, got "${str('suite')}"`);
  } catch (err) {
    if (err instanceof ScenarioFileError) {
      process.stderr.write(`broken scenario file: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  process.stdout.write(`${summaryLine(report)}\n`);
  const junit = str('junit');
  if (junit) fs.writeFileSync(junit, junitXml(report));
  return report.failed === 0 ? 0 : 1;
}
