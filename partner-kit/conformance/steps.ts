import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { authorizationHeader } from '../../src/client/ocpi-client.ts';
import { compare, show, type Answer, type Difference } from './expect.ts';
import type { Step } from './loader.ts';
import { read, remove, write } from './pointer.ts';
import { fill, fillDeep, TemplateError, type Vars } from './template.ts';
import type { CpoServer } from './cpo-server.ts';

/**
 * One step of a scenario: build the request from its templates, send it, compare the answer
 * with the expectation and save variables for later steps. Token choices: `A`, `C` (default),
 * `none`, `wrong`, `bearer-c` or a template naming a saved token.
 */
export interface StepContext {
  vars: Vars;
  payloads: Map<string, unknown>;
  server?: CpoServer;
  timeoutMs: number;
  /** Sees every request and answer (diagnostics, tests); never given to output as it is, since it holds tokens. */
  onExchange?: (exchange: Exchange) => void;
}

export interface Exchange {
  step: string;
  method: string;
  url: string;
  answer: Answer;
}

export type StepOutcome = { kind: 'ok' } | { kind: 'failed'; differences: Difference[] } | { kind: 'not-applicable'; reason: string };

function authorization(choice: string | undefined, ctx: StepContext): string | undefined {
  const c = choice ?? 'C';
  const need = (name: string) => {
    const value = ctx.vars.get(name);
    if (value === undefined) throw new TemplateError(`token ${c}: variable {${name}} is not set (did the handshake scenario pass?)`);
    return value;
  };
  if (c === 'none') return undefined;
  if (c === 'A') return authorizationHeader(need('token.a'), 'BASE64');
  if (c === 'C') return authorizationHeader(need('token.c'), 'BASE64');
  if (c === 'bearer-c') return `Bearer ${need('token.c')}`;
  if (c === 'wrong') return authorizationHeader(`conformance-never-issued-${need('run')}`, 'BASE64');
  return authorizationHeader(fill(c, ctx.vars), 'BASE64');
}

function bodyOf(step: Step, ctx: StepContext): string | undefined {
  const r = step.request!;
  if (r.raw_body !== undefined) return fill(r.raw_body, ctx.vars);
  let body: unknown = r.body;
  if (r.payload) body = structuredClone(ctx.payloads.get(r.payload));
  if (body === undefined) return undefined;
  body = fillDeep(body, ctx.vars);
  try {
    for (const [pointer, value] of Object.entries(r.set ?? {})) write(body, pointer, fillDeep(value, ctx.vars));
    for (const pointer of r.remove ?? []) remove(body, pointer);
  } catch (err) {
    if (err instanceof TemplateError) throw err;
    // A pointer into the payload that does not fit it: the scenario is wrong, not the hub.
    throw new TemplateError(`request body: ${(err as Error).message}`);
  }
  return JSON.stringify(body);
}

async function send(step: Step, ctx: StepContext): Promise<Answer> {
  const r = step.request!;
  const url = new URL(fill(r.url, ctx.vars));
  for (const [key, value] of Object.entries(r.query ?? {})) url.searchParams.set(key, fill(value, ctx.vars));
  const body = bodyOf(step, ctx);
  const headers: Record<string, string> = { accept: 'application/json', 'x-request-id': randomUUID(), 'x-correlation-id': randomUUID() };
  const auth = authorization(r.token, ctx);
  if (auth) headers.authorization = auth;
  if (body !== undefined) headers['content-type'] = 'application/json';
  for (const [name, value] of Object.entries(r.headers ?? {})) headers[name.toLowerCase()] = fill(value, ctx.vars);
  const res = await request(url, { method: r.method, headers, body, signal: AbortSignal.timeout(ctx.timeoutMs) });
  const text = await res.body.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return { status: res.statusCode, headers: flat, body: parsed, text };
}

function save(step: Step, answer: Pick<Answer, 'body' | 'headers'>, ctx: StepContext): Difference[] {
  const missing: Difference[] = [];
  for (const [name, source] of Object.entries(step.save ?? {})) {
    let value: unknown;
    if ('pointer' in source) value = read(answer.body, source.pointer);
    else if ('header' in source) value = answer.headers[source.header.toLowerCase()];
    else value = fill(source.value, ctx.vars);
    if (value === undefined || value === null) {
      missing.push({ where: `save ${name} from ${'pointer' in source ? source.pointer : 'header' in source ? `header ${source.header}` : source.value}`, expected: 'a value', got: 'nothing' });
      continue;
    }
    ctx.vars.set(name, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return missing;
}

export async function runStep(step: Step, ctx: StepContext): Promise<StepOutcome> {
  if (step.only_if && !(Number(ctx.vars.get(step.only_if.var)) >= step.only_if.at_least)) return { kind: 'ok' };
  if (step.await) {
    if (!ctx.server) return { kind: 'not-applicable', reason: 'no CPO server to receive commands' };
    const command = await ctx.server.nextCommand(step.await.command, step.await.timeout_ms ?? 10_000);
    if (!command) return { kind: 'failed', differences: [{ where: `command ${step.await.command}`, expected: 'the hub to send it to the runner\'s commands receiver', got: `nothing within ${step.await.timeout_ms ?? 10_000} ms` }] };
    const missing = save(step, { body: command.body, headers: {} }, ctx);
    return missing.length ? { kind: 'failed', differences: missing } : { kind: 'ok' };
  }
  let answer: Answer;
  try {
    answer = await send(step, ctx);
  } catch (err) {
    if (err instanceof TemplateError) throw err;
    return { kind: 'failed', differences: [{ where: `${step.request!.method} request`, expected: 'an answer', got: `no answer (${(err as Error).message})` }] };
  }
  ctx.onExchange?.({ step: step.name, method: step.request!.method, url: fill(step.request!.url, ctx.vars), answer });
  if (step.not_applicable_on?.status?.includes(answer.status)) {
    const said = answer.body as { message?: unknown; status_message?: unknown } | undefined;
    const message = typeof said?.status_message === 'string' ? said.status_message : typeof said?.message === 'string' ? said.message : undefined;
    return { kind: 'not-applicable', reason: `HTTP ${answer.status}${message ? ` (${message})` : ''}` };
  }
  const differences = compare(step.expect ?? {}, answer, ctx.vars);
  if (differences.length) {
    // A failed step's message helps a partner engineer more than any field: carry it along.
    const message = (answer.body as { status_message?: unknown } | undefined)?.status_message;
    if (typeof message === 'string' && differences.length) differences[0] = { ...differences[0]!, got: `${differences[0]!.got} (status_message ${show(message)})` };
    return { kind: 'failed', differences };
  }
  const missing = save(step, answer, ctx);
  return missing.length ? { kind: 'failed', differences: missing } : { kind: 'ok' };
}
