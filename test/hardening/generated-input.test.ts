import { expect } from 'chai';
import fc from 'fast-check';
import { chargingWorld, cpoCdr, cpoSession, ENERGY_TARIFF, LOCATION, TOKEN_UID, type ChargingWorld } from '../helpers/charging.ts';
import { approvedCpo } from '../helpers/onboarding.ts';
import { example } from '../helpers/examples.ts';
import { bodyText, describeValue, invalidVariants, type Mutation } from '../helpers/arbitraries.ts';
import type { HttpAnswer } from '../helpers/http.ts';
import { validate } from '../../src/ocpi/validator.ts';

/**
 * Generated invalid input (issue 10 §1): for every object the hub receives, a valid base object
 * and fast-check mutations derived from its JSON Schema (wrong types, missing required, out of
 * range, impossible dates, NUL, lone surrogates, control characters, huge strings and arrays,
 * enum outsiders, unparseable JSON). Every case must answer below 500, in an OCPI envelope with
 * 2001 naming the mutated field (HTTP 400 for unparseable JSON), and leave the stored object as
 * it was. One hub for the whole file.
 *
 * FUZZ_SEED picks the seed (printed in every title and in fast-check's failure report, with the
 * path to replay: FUZZ_SEED=<seed> and fast-check's `path`); FUZZ_SCALE multiplies the runs;
 * FUZZ_COLLECT=1 runs every case without stopping at the first failure and prints a summary.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const COLLECT = process.env.FUZZ_COLLECT === '1';
/** The stored object is compared after every CHECK_EVERY-th case of a target, and after its last. */
const CHECK_EVERY = 25;
const BODY_LIMIT = 1_048_576;
/** Cases sent concurrently per fast-check run. */
const BATCH = Number(process.env.FUZZ_BATCH ?? 4);

interface Target {
  name: string;
  method: string;
  url: () => string;
  schema: string;
  base: () => unknown;
  token: () => string;
  runs: number;
  /** What must not change, read back from the hub. */
  stored: () => Promise<unknown>;
  /** Mutations that are not invalid for this endpoint (said why where used). */
  skip?: (m: Mutation) => boolean;
}

type Case = { kind: 'schema'; m: Mutation } | { kind: 'bad json'; raw: string };

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('hardening: generated invalid input against every object the hub receives', function () {
  this.timeout(600_000);
  let w: ChargingWorld;
  let orderId: string;
  let responsePath: string;
  let fresh: { id: string; tokenA: string };
  const totals: Record<string, number> = {};
  const found = new Map<string, { count: number; example: string }>();
  const started = Date.now();
  /** Time spent per mutation kind (printed with FUZZ_COLLECT=1). */
  const timing: Record<string, { n: number; ms: number }> = {};

  const cpo = () => w.cpo.token;

  const locationBase = { current: undefined as any };
  const targets: Target[] = [
    {
      name: 'Location PUT',
      method: 'PUT',
      url: () => LOCATION,
      schema: 'location.json',
      base: () => locationBase.current,
      token: cpo,
      runs: 1200,
      stored: () => getData(LOCATION),
    },
    {
      name: 'Location PATCH',
      method: 'PATCH',
      url: () => LOCATION,
      schema: 'location-patch.json',
      base: () => ({
        name: 'Gent Zuid',
        address: 'F.Rooseveltlaan 3A',
        city: 'Gent',
        postal_code: '9000',
        coordinates: { latitude: '51.047599', longitude: '3.729944' },
        parking_type: 'ON_STREET',
        facilities: ['HOTEL', 'CAFE'],
        directions: [{ language: 'en', text: 'Turn left' }],
        operator: { name: 'BEC', website: 'https://bec.example.com/', logo: { url: 'https://bec.example.com/logo.png', category: 'OPERATOR', type: 'png', width: 10, height: 10 } },
        opening_times: { twentyfourseven: false, regular_hours: [{ weekday: 1, period_begin: '08:00', period_end: '20:00' }], exceptional_closings: [{ period_begin: '2026-12-25T00:00:00Z', period_end: '2026-12-26T00:00:00Z' }] },
        energy_mix: { is_green_energy: true, energy_sources: [{ source: 'SOLAR', percentage: 50 }], environ_impact: [{ category: 'CARBON_DIOXIDE', amount: 12 }] },
        related_locations: [{ latitude: '51.047600', longitude: '3.729945', name: { language: 'en', text: 'Entrance' } }],
        last_updated: '2026-11-25T09:00:00Z',
      }),
      token: cpo,
      runs: 900,
      stored: () => getData(LOCATION),
    },
    {
      name: 'EVSE PUT',
      method: 'PUT',
      url: () => `${LOCATION}/3256`,
      schema: 'evse.json',
      base: () => locationBase.current.evses.find((e: any) => e.uid === '3256'),
      token: cpo,
      runs: 800,
      stored: () => getData(LOCATION),
    },
    {
      name: 'EVSE PATCH',
      method: 'PATCH',
      url: () => `${LOCATION}/3256`,
      schema: 'evse-patch.json',
      base: () => ({
        status: 'CHARGING',
        status_schedule: [{ period_begin: '2026-11-26T00:00:00Z', period_end: '2026-11-27T00:00:00Z', status: 'RESERVED' }],
        capabilities: ['RESERVABLE', 'RFID_READER'],
        floor_level: '-1',
        coordinates: { latitude: '51.047599', longitude: '3.729944' },
        physical_reference: '1',
        parking_restrictions: ['EV_ONLY'],
        last_updated: '2026-11-25T09:00:00Z',
      }),
      token: cpo,
      runs: 600,
      stored: () => getData(LOCATION),
    },
    {
      name: 'Connector PUT',
      method: 'PUT',
      url: () => `${LOCATION}/3256/1`,
      schema: 'connector.json',
      base: () => locationBase.current.evses.find((e: any) => e.uid === '3256').connectors.find((c: any) => c.id === '1'),
      token: cpo,
      runs: 600,
      stored: () => getData(LOCATION),
    },
    {
      name: 'Connector PATCH',
      method: 'PATCH',
      url: () => `${LOCATION}/3256/1`,
      schema: 'connector-patch.json',
      base: () => ({ max_voltage: 230, max_amperage: 16, max_electric_power: 11000, tariff_ids: ['T-ENERGY'], terms_and_conditions: 'https://bec.example.com/terms', last_updated: '2026-11-25T09:00:00Z' }),
      token: cpo,
      runs: 500,
      stored: () => getData(LOCATION),
    },
    {
      name: 'Tariff PUT',
      method: 'PUT',
      url: () => '/ocpi/2.2.1/tariffs/BE/BEC/T-FUZZ',
      schema: 'tariff.json',
      base: () => tariffBase(),
      token: cpo,
      runs: 1000,
      stored: () => getData('/ocpi/2.2.1/tariffs/BE/BEC/T-FUZZ'),
    },
    {
      name: 'Session PUT',
      method: 'PUT',
      url: () => '/ocpi/2.2.1/sessions/BE/BEC/S-FUZZ',
      schema: 'session.json',
      base: () => sessionBase(),
      token: cpo,
      runs: 900,
      stored: () => getData('/ocpi/2.2.1/sessions/BE/BEC/S-FUZZ'),
    },
    {
      name: 'Session PATCH',
      method: 'PATCH',
      url: () => '/ocpi/2.2.1/sessions/BE/BEC/S-FUZZ',
      schema: 'session-patch.json',
      base: () => ({ ...example<Record<string, unknown>>('session_patch_example_charging_period.json'), status: 'ACTIVE', currency: 'EUR', meter_id: 'M-1', last_updated: '2026-11-25T10:00:30Z' }),
      token: cpo,
      runs: 600,
      stored: () => getData('/ocpi/2.2.1/sessions/BE/BEC/S-FUZZ'),
    },
    {
      name: 'CDR POST',
      method: 'POST',
      url: () => '/ocpi/2.2.1/cdrs',
      schema: 'cdr.json',
      base: () => cdrBase(),
      token: cpo,
      runs: 1100,
      stored: async () => ({ cdr: await getData('/ocpi/2.2.1/cdrs/BE/BEC/CDR-FUZZ'), all: (await w.finance('GET', '/cdrs')).body }),
    },
    {
      name: 'Credentials PUT (registered CPO)',
      method: 'PUT',
      url: () => '/ocpi/2.2.1/credentials',
      schema: 'credentials.json',
      base: () => credentialsBase(w.cpo.partner.credentials(w.cpo.tokenB)),
      token: cpo,
      runs: 400,
      stored: async () => ({ ...(await w.t.admin('GET', `/partners/${w.cpo.id}`)).body, last_seen_at: undefined }),
    },
    {
      name: 'Credentials POST (token A of an approved partner)',
      method: 'POST',
      url: () => '/ocpi/2.2.1/credentials',
      schema: 'credentials.json',
      base: () => credentialsBase({ token: 'token-b-FZZ', url: 'http://127.0.0.1:9/ocpi/versions', roles: [{ role: 'CPO', country_code: 'DE', party_id: 'FZZ', business_details: { name: 'Fuzz CPO' } }] }),
      token: () => fresh.tokenA,
      runs: 400,
      // last_seen_at is the token's use, not the partner's data.
      stored: async () => ({ ...(await w.t.admin('GET', `/partners/${fresh.id}`)).body, last_seen_at: undefined }),
    },
    {
      name: 'CommandResult POST',
      method: 'POST',
      url: () => responsePath,
      schema: 'command-result.json',
      base: () => ({ result: 'ACCEPTED', message: [{ language: 'en', text: 'Charging started' }] }),
      token: cpo,
      runs: 500,
      stored: async () => {
        const h = await w.history(orderId);
        return { state: h.state, commands: h.commands, order: await w.order(orderId) };
      },
    },
    {
      name: 'Token authorize POST (LocationReferences)',
      method: 'POST',
      url: () => `/ocpi/2.2.1/tokens/${TOKEN_UID}/authorize?type=APP_USER`,
      schema: 'location-references.json',
      base: () => ({ location_id: 'LOC1', evse_uids: ['3256', 'BE-BEC-E041503002'] }),
      token: cpo,
      runs: 500,
      stored: async () => (await w.app('GET', `/tokens/${TOKEN_UID}`)).body,
      // No body (or JSON null) is an authorization without a location: allowed by mod_tokens.
      skip: (m) => m.path.length === 0 && (m.value === null || typeof m.value === 'symbol'),
    },
  ];

  async function getData(path: string): Promise<unknown> {
    const res = await w.t.ocpi('GET', path, { token: w.cpo.token });
    expect(res.body.status_code, `${path}: ${res.text.slice(0, 300)}`).to.equal(1000);
    return res.body.data;
  }

  function tariffBase() {
    const t = { ...example<any>('tariff_4_complex.json'), country_code: 'BE', party_id: 'BEC', id: 'T-FUZZ', last_updated: '2026-11-20T00:00:00Z' };
    t.tariff_alt_text = [{ language: 'en', text: 'See the site' }];
    t.min_price = { excl_vat: 0.5, incl_vat: 0.6 };
    t.max_price = { excl_vat: 50, incl_vat: 60 };
    t.start_date_time = '2026-01-01T00:00:00Z';
    t.energy_mix = { is_green_energy: true };
    t.elements[1].restrictions = { ...t.elements[1].restrictions, start_date: '2026-01-01', end_date: '2026-12-31', min_kwh: 0, max_kwh: 100, min_power: 1, max_power: 50, min_duration: 0, max_duration: 36000 };
    return t;
  }

  function sessionBase() {
    return cpoSession('FUZZ-REF', 'ACTIVE', {
      id: 'S-FUZZ',
      kwh: 3.5,
      start_date_time: '2026-11-25T09:30:00Z',
      charging_periods: [{ start_date_time: '2026-11-25T09:30:00Z', dimensions: [{ type: 'ENERGY', volume: 3.5 }], tariff_id: 'T-ENERGY' }],
      total_cost: { excl_vat: 0.88, incl_vat: 1.05 },
      currency: 'EUR',
      meter_id: 'M-1',
      last_updated: '2026-11-25T09:59:00Z',
    });
  }

  function cdrBase() {
    const c: any = cpoCdr(null, { id: 'CDR-FUZZ', session_id: 'S-FUZZ', last_updated: '2026-11-25T09:59:30Z', start_date_time: '2026-11-25T08:00:10Z', end_date_time: '2026-11-25T09:00:10Z' });
    c.charging_periods[0].start_date_time = '2026-11-25T08:00:10Z';
    c.tariffs = [ENERGY_TARIFF];
    c.remark = 'fuzz base';
    c.total_energy_cost = { excl_vat: 2.5, incl_vat: 3 };
    return c;
  }

  function credentialsBase(c: any) {
    c.roles[0].business_details = { name: c.roles[0].business_details.name, website: 'https://cpo.example.com/', logo: { url: 'https://cpo.example.com/logo.png', category: 'OPERATOR', type: 'png', width: 100, height: 100 } };
    return c;
  }

  before(async () => {
    w = await chargingWorld({ tariff: ENERGY_TARIFF });
    locationBase.current = await getData(LOCATION);
    const put = async (path: string, body: unknown, method = 'PUT') => {
      const res = await w.t.ocpi(method, path, { token: w.cpo.token, body });
      expect(res.status, `${path}: ${res.text}`).to.be.oneOf([200, 201]);
      expect(res.body.status_code, `${path}: ${res.text}`).to.equal(1000);
    };
    await put('/ocpi/2.2.1/tariffs/BE/BEC/T-FUZZ', tariffBase());
    await put('/ocpi/2.2.1/sessions/BE/BEC/S-FUZZ', sessionBase());
    await put('/ocpi/2.2.1/cdrs', cdrBase(), 'POST');
    const start = await w.start();
    expect(start.status, start.text).to.equal(202);
    orderId = start.body.id;
    responsePath = new URL((w.commands('START_SESSION')[0]!.body as any).response_url).pathname;
    fresh = await approvedCpo(w.t, { country_code: 'DE', party_id: 'FZZ' });
    // Every base object is valid where it is sent: the generator starts from the valid case, so
    // the mutation is the one fault (the stored ones above were accepted; patches and the rest are
    // checked against their schema here).
    for (const target of targets) expect(validate(target.schema, target.base()).errors, target.name).to.deep.equal([]);
    const sanity = await w.t.ocpi('POST', `/ocpi/2.2.1/tokens/${TOKEN_UID}/authorize?type=APP_USER`, { token: w.cpo.token, body: targets.at(-1)!.base() });
    expect(sanity.body.status_code, sanity.text).to.equal(1000);
  });

  after(async () => {
    const total = Object.values(totals).reduce((a, b) => a + b, 0);
    console.log(`      generated-input: ${total} cases (${Object.entries(totals).map(([k, v]) => `${k} ${v}`).join(', ')}) in ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${SEED}`);
    if (COLLECT) console.log(Object.entries(timing).map(([k, v]) => `      ${k}: ${v.n} cases, ${(v.ms / v.n).toFixed(1)} ms each, ${(v.ms / 1000).toFixed(1)} s`).join('\n'));
    if (COLLECT) for (const [key, { count, example }] of found) console.log(`      FAILURE ×${count} ${key}\n        e.g. ${example}`);
    await w?.stop();
  });

  function send(target: Target, c: Case): Promise<HttpAnswer<any>> {
    const path = target.url();
    if (c.kind === 'bad json') return w.t.ocpi(target.method, path, { token: target.token(), rawBody: c.raw, headers: { 'content-type': 'application/json' } });
    const text = bodyText(target.base(), c.m);
    return w.t.ocpi(target.method, path, { token: target.token(), ...(text === undefined ? {} : { rawBody: text, headers: { 'content-type': 'application/json' } }) });
  }

  /** What is wrong with the answer to a case, or undefined. */
  function problem(c: Case, res: HttpAnswer<any>): string | undefined {
    const message: string = typeof res.body?.status_message === 'string' ? res.body.status_message : '';
    if (res.status >= 500) return `HTTP ${res.status}: ${res.text.slice(0, 300)}`;
    if (typeof res.body !== 'object' || res.body === null || !('status_code' in res.body) || !('timestamp' in res.body)) return `not an OCPI envelope: HTTP ${res.status} ${res.text.slice(0, 300)}`;
    if (c.kind === 'bad json') {
      if (res.status !== 400 || res.body.status_code !== 2001) return `unparseable JSON answered HTTP ${res.status} ${res.body.status_code}: ${message}`;
      return undefined;
    }
    if (res.body.status_code !== 2001) return `HTTP ${res.status} status_code ${res.body.status_code} (expected 2001): ${message.slice(0, 300)}`;
    // Nesting is named by where it goes too deep, which starts with the field that holds it.
    const named = c.m.kind === 'deeply nested' ? new RegExp(`(^|; )${escape(c.m.field)}(\\[|\\.|…)`) : new RegExp(`(^|; )${escape(c.m.field)}: `);
    if (!named.test(message)) return `2001 does not name ${c.m.field}: ${message.slice(0, 300)}`;
    return undefined;
  }

  const describeCase = (target: Target, c: Case) =>
    c.kind === 'bad json' ? `${target.method} ${target.url()} unparseable JSON ${describeValue(c.raw)}` : `${target.method} ${target.url()} ${c.m.kind} at ${c.m.field} = ${c.m.raw === undefined ? describeValue(c.m.value) : describeValue(c.m.raw)}`;

  /**
   * Runs `runs` cases of `cases` against `target` (BATCH per fast-check run, sent together: the
   * hub waits on PostgreSQL meanwhile) with fc.assert and `seed`; the stored object is compared
   * every CHECK_EVERY cases and after the last.
   */
  async function runCases(target: Target, cases: fc.Arbitrary<Case>, runs: number, seed: number): Promise<void> {
    const before = await target.stored();
    let n = 0;
    const one = cases.map((c) => Object.assign(c, { [fc.toStringMethod]: () => describeCase(target, c) }));
    const property = fc.asyncProperty(fc.array(one, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
      const outcomes = await Promise.all(
        batch.map(async (c) => {
          const t0 = performance.now();
          const res = await send(target, c);
          const kind = c.kind === 'bad json' ? 'bad json' : c.m.kind;
          const cost = (timing[kind] ??= { n: 0, ms: 0 });
          cost.n++;
          cost.ms += performance.now() - t0;
          return { c, wrong: problem(c, res) };
        }),
      );
      const checkNow = Math.floor((n + batch.length) / CHECK_EVERY) > Math.floor(n / CHECK_EVERY);
      n += batch.length;
      let changed: string | undefined;
      if (checkNow) {
        try {
          expect(await target.stored()).to.deep.equal(before);
        } catch {
          changed = `stored object changed after ${n} cases (last batch: ${batch.map((c) => describeCase(target, c)).join(' | ')})`;
        }
      }
      const issues = outcomes.filter((o) => o.wrong).map((o) => ({ c: o.c, issue: o.wrong! }));
      if (changed) issues.push({ c: batch[batch.length - 1]!, issue: changed });
      for (const { c, issue } of issues) {
        const key = `${target.name}: ${c.kind === 'bad json' ? 'bad json' : `${c.m.kind} at ${c.m.field.replace(/\[\d+\]/g, '[]')}`} → ${issue.replace(/\d+/g, '#').slice(0, 80)}`;
        const seen = found.get(key) ?? { count: 0, example: `${describeCase(target, c)} → ${issue}` };
        seen.count++;
        found.set(key, seen);
      }
      if (!COLLECT) expect(issues.map(({ c, issue }) => `${describeCase(target, c)} → ${issue}`)).to.deep.equal([]);
    });
    try {
      await fc.assert(property, { seed, numRuns: Math.ceil(runs / BATCH), endOnFailure: true });
    } finally {
      totals[target.name] = (totals[target.name] ?? 0) + n;
    }
    expect(await target.stored(), 'the stored object after all cases').to.deep.equal(before);
  }

  targets.forEach((target, index) => {
    const runs = Math.max(BATCH, Math.round((target.runs * SCALE) / BATCH) * BATCH);
    const seed = SEED + index;
    it(`${target.name}: ${runs} invalid variants → < 500, 2001 naming the field, stored object unchanged (seed ${seed})`, async () => {
      const base = target.base();
      const { arbitrary } = invalidVariants(target.schema, base, BODY_LIMIT);
      const text = JSON.stringify(base);
      const badJson = fc.oneof(
        fc.integer({ min: 1, max: text.length - 1 }).map((k) => text.slice(0, k)),
        fc.constantFrom(`${text}}`, `${text},`, text.replace(':', '::'), text.replace('"', "'"), `${text.slice(0, -1)},}`, '{"a":1,}', 'NaN', '{"x": undefined}', '\u0000', '[1,2'),
      );
      const cases: fc.Arbitrary<Case> = fc.oneof(
        { weight: 19, arbitrary: arbitrary.filter((m) => !target.skip?.(m)).map((m): Case => ({ kind: 'schema', m })) },
        { weight: 1, arbitrary: badJson.map((raw): Case => ({ kind: 'bad json', raw })) },
      );
      await runCases(target, cases, runs, seed);
    });
  });

  // JSON nested a few thousand levels deep (1 MiB allows ~470k) overflowed the stack of every
  // recursive walk of a body (the text check, structuredClone): HTTP 500. Bodies deeper than
  // MAX_JSON_DEPTH are now refused before any walk.
  it(`JSON nested 1,000+ levels deep at any field → 2001 naming where it is too deep, never a 500 (stack overflow in recursive walks) (seed ${SEED + 100})`, async () => {
    const failures: string[] = [];
    for (const [index, target] of targets.entries()) {
      const { arbitrary } = invalidVariants(target.schema, target.base(), BODY_LIMIT, { deep: true });
      try {
        await runCases(target, arbitrary.filter((m) => !target.skip?.(m)).map((m): Case => ({ kind: 'schema', m })), 4 * BATCH, SEED + 100 + index);
      } catch (err) {
        failures.push(`${target.name}: ${String((err as Error).message).split('\n').slice(0, 3).join(' ').slice(0, 400)}`);
      }
    }
    expect(failures).to.deep.equal([]);
  });
});
