import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { Expectation } from './expect.ts';

/**
 * Scenario files: `<dir>/<module>/*.json`, one scenario each, checked against
 * `scenario.schema.json` (next to them, or the one shipped in fixtures/conformance/) so a broken
 * file is refused with its name and the failing field, never half-run. Payload files live in
 * `<dir>/payloads/`.
 */
export const DEFAULT_SCENARIOS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/conformance');
const SHIPPED_SCHEMA = path.join(DEFAULT_SCENARIOS, 'scenario.schema.json');

export type Source = { pointer: string } | { header: string } | { value: string };

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  token?: string;
  body?: unknown;
  payload?: string;
  set?: Record<string, unknown>;
  remove?: string[];
  raw_body?: string;
}

export interface Step {
  name: string;
  request?: RequestSpec;
  expect?: Expectation;
  await?: { command: string; timeout_ms?: number };
  not_applicable_on?: { status?: number[] };
  only_if?: { var: string; at_least: number };
  save?: Record<string, Source>;
}

export interface Scenario {
  name: string;
  suite: 'cpo';
  order: string;
  description?: string;
  spec?: string;
  vars?: Record<string, string>;
  steps: Step[];
  /** Where it came from, relative to the scenario directory. */
  file: string;
}

export interface ScenarioSet {
  dir: string;
  scenarios: Scenario[];
  /** Payload files by name, parsed. */
  payloads: Map<string, unknown>;
}

export class ScenarioFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioFileError';
  }
}

function readJson(file: string, shown: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ScenarioFileError(`${shown}: not valid JSON (${(err as Error).message})`);
  }
}

export function loadScenarios(dir: string = DEFAULT_SCENARIOS, suite: 'cpo' = 'cpo'): ScenarioSet {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new ScenarioFileError(`${dir}: no such scenario directory`);
  const own = path.join(dir, 'scenario.schema.json');
  const schema = readJson(fs.existsSync(own) ? own : SHIPPED_SCHEMA, 'scenario.schema.json') as object;
  const ajv = new Ajv({ allErrors: false, strict: false });
  const validate = ajv.compile(schema);

  const payloads = new Map<string, unknown>();
  const payloadDir = path.join(dir, 'payloads');
  if (fs.existsSync(payloadDir)) {
    for (const name of fs.readdirSync(payloadDir).filter((n) => n.endsWith('.json')).sort()) payloads.set(name, readJson(path.join(payloadDir, name), `payloads/${name}`));
  }

  const scenarios: Scenario[] = [];
  const modules = fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== 'payloads').map((d) => d.name).sort();
  for (const module of modules) {
    for (const name of fs.readdirSync(path.join(dir, module)).filter((n) => n.endsWith('.json')).sort()) {
      const shown = `${module}/${name}`;
      const data = readJson(path.join(dir, module, name), shown);
      if (!validate(data)) {
        const e = validate.errors![0]!;
        throw new ScenarioFileError(`${shown}: ${e.instancePath || '(root)'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
      }
      const scenario = { ...(data as Omit<Scenario, 'file'>), file: shown };
      scenario.steps.forEach((step, i) => {
        const payload = step.request?.payload;
        if (payload && !payloads.has(payload)) throw new ScenarioFileError(`${shown}: /steps/${i}/request/payload: no file payloads/${payload}`);
      });
      if (scenario.suite === suite) scenarios.push(scenario);
    }
  }
  const seen = new Map<string, string>();
  for (const s of scenarios) {
    if (seen.has(s.name)) throw new ScenarioFileError(`${s.file}: name "${s.name}" is also the name of ${seen.get(s.name)}`);
    seen.set(s.name, s.file);
  }
  scenarios.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : a.file < b.file ? -1 : 1));
  return { dir, scenarios, payloads };
}
