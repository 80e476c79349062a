import { randomBytes, randomUUID } from 'node:crypto';
import { request } from 'undici';
import { authorizationHeader } from '../../../src/client/ocpi-client.ts';
import { loadScenarios, type Scenario } from '../loader.ts';
import { startCpoServer, type CpoServer } from '../cpo-server.ts';
import { runStep, type Exchange, type StepContext } from '../steps.ts';
import { fill, TemplateError, type Vars } from '../template.ts';
import { redact, summarise, type ScenarioResult, type SuiteReport } from '../report.ts';

/**
 * The `cpo` suite: the runner plays a CPO against a hub (any OCPI 2.2.1 eMSP or hub). It starts
 * its own CPO server, discovers the hub's 2.2.1 endpoints with token A, then runs the scenario
 * files in order; variables (token C, ids, response_url) carry from step to step and scenario
 * to scenario. The first failing step ends its scenario.
 */
export interface CpoSuiteOptions {
  versionsUrl: string;
  tokenA: string;
  /** The party the hub registered for token A (the runner's credentials roles). */
  countryCode: string;
  partyId: string;
  scenariosDir?: string;
  /** Where the runner's CPO server listens (0: any free port) and the URL the hub must use for it. */
  port?: number;
  publicUrl?: string;
  /** The address it listens on (default 127.0.0.1; 0.0.0.0 when the hub is on another machine). */
  host?: string;
  timeoutMs?: number;
  /** Called with each result as it is known (the CLI prints it at once). */
  onResult?: (result: ScenarioResult) => void;
  /** Every request and answer, with the scenario's name (tests and diagnostics only: it holds tokens). */
  onExchange?: (scenario: string, exchange: Exchange) => void;
}

const SECRET = /^token\./;

async function discover(vars: Vars, versionsUrl: string, tokenA: string, timeoutMs: number): Promise<string | undefined> {
  const get = async (url: string) => {
    const res = await request(url, { headers: { authorization: authorizationHeader(tokenA, 'BASE64'), accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.body.text();
    if (res.statusCode !== 200) return { error: `GET ${url} with token A: HTTP ${res.statusCode}` };
    try {
      return { body: JSON.parse(text) as { data?: any } };
    } catch {
      return { error: `GET ${url} with token A: answer is not JSON` };
    }
  };
  try {
    const versions = await get(versionsUrl);
    if (versions.error) return versions.error;
    const v221 = Array.isArray(versions.body!.data) ? versions.body!.data.find((v: { version?: string }) => v.version === '2.2.1') : undefined;
    if (!v221?.url) return `GET ${versionsUrl}: the hub offers no OCPI 2.2.1`;
    const details = await get(v221.url);
    if (details.error) return details.error;
    const endpoints = details.body!.data?.endpoints;
    if (!Array.isArray(endpoints)) return `GET ${v221.url}: no endpoints in the version details`;
    vars.set('hub.version_url', v221.url);
    for (const e of endpoints as { identifier: string; role: string; url: string }[]) {
      vars.set(`hub.${e.identifier}.${String(e.role).toLowerCase()}`, e.url);
      // The plain name prefers the receiver: that is where a CPO pushes.
      if (!vars.has(`hub.${e.identifier}`) || e.role === 'RECEIVER') vars.set(`hub.${e.identifier}`, e.url);
    }
    return undefined;
  } catch (err) {
    return `GET ${versionsUrl}: no answer (${(err as Error).message})`;
  }
}

async function runScenario(scenario: Scenario, ctx: StepContext): Promise<ScenarioResult> {
  const started = performance.now();
  const done = (r: Omit<ScenarioResult, 'name' | 'file' | 'ms'>): ScenarioResult => ({ name: scenario.name, file: scenario.file, ms: Math.round(performance.now() - started), ...r });
  try {
    for (const [name, value] of Object.entries(scenario.vars ?? {})) ctx.vars.set(name, fill(value, ctx.vars));
    for (const [i, step] of scenario.steps.entries()) {
      const outcome = await runStep(step, ctx);
      const at = { index: i + 1, name: step.name };
      if (outcome.kind === 'failed') return done({ outcome: 'failed', step: at, differences: outcome.differences });
      if (outcome.kind === 'not-applicable') return done({ outcome: 'not-applicable', step: at, reason: outcome.reason });
    }
  } catch (err) {
    if (err instanceof TemplateError) {
      // An endpoint the hub's 2.2.1 details do not list: the scenario is about a module this hub does not offer.
      const module = /^hub\.([a-z_]+)(?:\.(sender|receiver))?$/.exec(err.variable ?? '');
      if (module && !['versions_url', 'version_url', 'origin'].includes(module[1]!)) {
        return done({ outcome: 'not-applicable', reason: `the hub's 2.2.1 version details list no ${module[1]}${module[2] ? ` ${module[2].toUpperCase()}` : ''} endpoint` });
      }
      return done({ outcome: 'failed', reason: err.message });
    }
    throw err;
  }
  return done({ outcome: 'passed' });
}

export async function runCpoSuite(options: CpoSuiteOptions): Promise<SuiteReport> {
  const started = performance.now();
  const set = loadScenarios(options.scenariosDir);
  const timeoutMs = options.timeoutMs ?? 15_000;
  let server: CpoServer | undefined;
  const results: ScenarioResult[] = [];
  const vars: Vars = new Map();
  try {
    server = await startCpoServer({ port: options.port, publicUrl: options.publicUrl, host: options.host, countryCode: options.countryCode, partyId: options.partyId });
    const run = randomBytes(4).toString('hex');
    const tokenB = `conformance-b-${randomBytes(16).toString('hex')}`;
    const tokenB2 = `conformance-b2-${randomBytes(16).toString('hex')}`;
    server.accept(tokenB);
    server.accept(tokenB2);
    const fixed: Record<string, string> = {
      run,
      'run.uuid': randomUUID(),
      'token.a': options.tokenA,
      'token.b': tokenB,
      'token.b_rotated': tokenB2,
      'party.country_code': options.countryCode,
      'party.party_id': options.partyId,
      'hub.versions_url': options.versionsUrl,
      'hub.origin': new URL(options.versionsUrl).origin,
      'cpo.versions_url': server.versionsUrl,
      'cpo.unsupported_versions_url': server.unsupportedVersionsUrl,
    };
    for (const [k, v] of Object.entries(fixed)) vars.set(k, v);
    const ctx: StepContext = { vars, payloads: set.payloads, server, timeoutMs };
    const problem = await discover(vars, options.versionsUrl, options.tokenA, timeoutMs);
    for (const scenario of set.scenarios) {
      const result = problem
        ? { name: scenario.name, file: scenario.file, outcome: 'failed' as const, reason: `the hub's OCPI 2.2.1 endpoints could not be discovered: ${problem}`, ms: 0 }
        : await runScenario(scenario, { ...ctx, onExchange: options.onExchange && ((e) => options.onExchange!(scenario.name, e)) });
      const secrets = [...vars.entries()].filter(([k]) => SECRET.test(k)).map(([, v]) => v);
      const shown = redact(result, secrets);
      results.push(shown);
      options.onResult?.(shown);
    }
  } finally {
    await server?.stop();
  }
  return summarise('cpo', results, Math.round(performance.now() - started));
}
