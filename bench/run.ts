/**
 * `npm run bench`: throughput and latency of the hub's hot paths, each reported as a ratio
 * against a baseline measured in the same run on the same machine, so figures compare
 * across machines. Everything runs on loopback and stops by itself.
 *
 *  1. EVSE status PATCH through the whole OCPI path (auth, schema, rules, one transaction)
 *     vs. a bare Koa server echoing the same PATCH body.
 *  2. App geo query (`near`, 2 km) over 50,000 locations / 100,000 EVSEs vs. `select 1`
 *     through the same connection pool; plus the query plan, which must use the GiST index.
 *  3. CDR POST through the whole path (auth, schema, rules, order, tariff lookup, pricing,
 *     settlement, one transaction) vs. the bare Koa server echoing the same CDR.
 *  4. The tariff engine alone (one CDR priced) vs. JSON Schema validation of that CDR, in process.
 *  5. Authenticated `GET /ocpi/versions` (the auth path alone) vs. the bare Koa echo.
 *  6. The geo query vs. a bare Koa serving the same page as a constant.
 *  7. Pull-sync: a full pull of the CPO simulator's Locations sender (BENCH_SYNC_LOCATIONS, 2,000)
 *     vs. fetching and parsing the same pages.
 *  8. The database's ceiling: one-row UPDATEs through a plain `pg` pool, pgbench-style.
 *  9. The app's start against the simulator, which answers at once (the hub's overhead per start)
 *     vs. the bare Koa echo of the same request.
 *
 * Each comparison is printed and written to bench/last-run.json
 * (`[{name, rps, p50_ms, p99_ms, errors, baseline, baseline_rps, ratio}]`).
 */
import Koa from 'koa';
import http from 'node:http';
import { Pool } from 'undici';
import type { AddressInfo } from 'node:net';
import { mochaGlobalSetup, mochaGlobalTeardown } from '../test/setup/database.ts';
import { startTestHub, APP_KEY } from '../test/helpers/hub.ts';
import { onboardCpo, approvedCpo } from '../test/helpers/onboarding.ts';
import { example } from '../test/helpers/examples.ts';
import { cpoCdr, ENERGY_TARIFF } from '../test/helpers/charging.ts';
import fs from 'node:fs';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import pg from 'pg';
import { priceSession } from '../pricing/price.ts';
import { schemaErrors } from '../src/ocpi/validator.ts';
import { startSimulator } from '../partner-kit/simulator/index.ts';
import { withDatabase } from '../src/hub.ts';
import { nextLink } from '../src/client/partner-client.ts';

const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 8) * 1000;
const CONCURRENCY = 16;

async function load(origin: string, make: (i: number) => { method: 'GET' | 'PATCH' | 'POST'; path: string; headers: Record<string, string>; body?: string }) {
  const pool = new Pool(origin, { connections: CONCURRENCY });
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let i = 0;
  const end = performance.now() + DURATION_MS;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const req = make(i++);
        const started = performance.now();
        const res = await pool.request({ ...req });
        const text = await res.body.text();
        latencies.push(performance.now() - started);
        if (res.statusCode >= 300 || (text.includes('status_code') && !text.includes('"status_code":1000'))) {
          errors++;
          firstError ??= `${req.method} ${req.path}: HTTP ${res.statusCode} ${text.slice(0, 300)}`;
        }
      }
    }),
  );
  await pool.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  if (firstError) console.log(`  first error: ${firstError}`);
  return { rps: latencies.length / (DURATION_MS / 1000), p50: pct(50), p99: pct(99), errors, count: latencies.length };
}

type Load = Awaited<ReturnType<typeof load>>;

/** One comparison of bench/last-run.json: the hub's figure and its same-run baseline. */
interface Row {
  name: string;
  rps: number;
  p50_ms: number | null;
  p99_ms: number | null;
  errors: number;
  baseline: string;
  baseline_rps: number;
  ratio: number;
}
const rows: Row[] = [];
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
function compare(name: string, hub: Pick<Load, 'rps'> & Partial<Load>, baseline: string, baselineRps: number): void {
  rows.push({ name, rps: round(hub.rps, 1), p50_ms: hub.p50 === undefined ? null : round(hub.p50), p99_ms: hub.p99 === undefined ? null : round(hub.p99), errors: hub.errors ?? 0, baseline, baseline_rps: round(baselineRps, 1), ratio: round(hub.rps / baselineRps, 4) });
}

/** Objects per second of a paginated OCPI list fetched page by page along its Link headers, each page parsed. */
async function fetchPages(url: string, token: string): Promise<number> {
  const started = performance.now();
  let next: string | undefined = url;
  let objects = 0;
  while (next) {
    const res: Response = await fetch(next, { headers: { authorization: `Token ${Buffer.from(token).toString('base64')}` } });
    objects += (JSON.parse(await res.text()).data as unknown[]).length;
    const link = nextLink(res.headers.get('link') ?? undefined);
    next = link ? new URL(link, next).toString() : undefined;
  }
  return objects / ((performance.now() - started) / 1000);
}

/**
 * BENCH_PROFILE=patch (or cdr) profiles that run's process (the hub and the load generator
 * share it): self time by package or folder and the top functions are printed, and the profile
 * is written to bench/<name>.cpuprofile for Chrome's DevTools.
 */
async function profiled<T>(name: string, run: () => Promise<T>): Promise<T> {
  if (process.env.BENCH_PROFILE !== name) return run();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const result = await run();
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  fs.writeFileSync(new URL(`./${name}.cpuprofile`, import.meta.url), JSON.stringify(profile));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const total = (profile.timeDeltas ?? []).reduce((a, b) => a + b, 0);
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  profile.samples!.forEach((id, i) => {
    const frame = nodes.get(id)!;
    const dt = profile.timeDeltas![i] ?? 0;
    const file = frame.url.replace(/^file:\/\//, '');
    const place = /node_modules\/(@[^/]+\/[^/]+|[^/]+)/.exec(file)?.[1] ?? (file ? path.relative(process.cwd(), file).split(path.sep)[0]! : frame.functionName || '(native)');
    byPlace.set(place, (byPlace.get(place) ?? 0) + dt);
    const fn = `${frame.functionName || '(anonymous)'} ${file ? `${path.relative(process.cwd(), file)}:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
  });
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `    ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`).join('\n');
  console.log(`\n  profile of the ${name} run: self time by package or folder\n${top(byPlace, 12)}\n  top functions\n${top(byFunction, 15)}`);
  return result;
}

const fmt = (r: { rps: number; p50: number; p99: number; errors: number }) => `${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, errors ${r.errors}`;

async function main() {
  await mochaGlobalSetup();
  const t = await startTestHub({ env: { LOG_LEVEL: 'silent' } });
  try {
    const cpo = await onboardCpo(t, { country_code: 'BE', party_id: 'BEC' });
    await t.admin('PUT', `/partners/${cpo.id}/trust`, { trusted: true });
    const location = example('location_example.json');
    for (const e of location.evses) for (const c of e.connectors) c.tariff_ids = [];
    // 40 sites, so concurrent PATCHes mostly touch different rows, as a real CPO's do.
    const SITES = 40;
    for (let n = 0; n < SITES; n++) {
      const site = { ...location, id: `LOC${n}`, evses: location.evses.map((e: any) => ({ ...e, uid: `L${n}-${e.uid}` })) };
      await t.ocpi('PUT', `/ocpi/2.2.1/locations/BE/BEC/LOC${n}`, { token: cpo.token, body: site });
    }

    // 1. PATCH path vs bare Koa echo.
    const baseline = new Koa();
    baseline.use(async (ctx) => {
      const chunks: Buffer[] = [];
      for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString();
      ctx.body = { data: body ? JSON.parse(body) : null, status_code: 1000, timestamp: new Date().toISOString() };
    });
    const server = http.createServer(baseline.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const echoOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const auth = `Token ${Buffer.from(cpo.token).toString('base64')}`;
    const statuses = ['AVAILABLE', 'CHARGING'];
    const patch = (i: number) => ({
      method: 'PATCH' as const,
      path: `/ocpi/2.2.1/locations/BE/BEC/LOC${i % SITES}/L${i % SITES}-3256`,
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ status: statuses[i % 2], last_updated: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString() }),
    });
    const echo = await load(echoOrigin, patch);
    const hubPatch = await profiled('patch', () => load(t.url, patch));
    compare('EVSE status PATCH', hubPatch, 'bare Koa echo of the PATCH', echo.rps);

    // 5. The auth path alone: GET /ocpi/versions with token C.
    const versions = () => ({ method: 'GET' as const, path: '/ocpi/versions', headers: { authorization: auth } });
    const echoGet = await load(echoOrigin, versions);
    const hubVersions = await load(t.url, versions);
    compare('authenticated GET /ocpi/versions', hubVersions, 'bare Koa echo', echoGet.rps);

    // 3. CDR POST (each a new CDR for one of our cards, so each creates and bills an order) vs the echo.
    await t.ocpi('PUT', `/ocpi/2.2.1/tariffs/BE/BEC/${ENERGY_TARIFF.id}`, { token: cpo.token, body: ENERGY_TARIFF });
    await fetch(`${t.url}/api/v1/tokens/BENCH-CARD`, { method: 'PUT', headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'RFID', contract_id: 'NL-HUB-BENCH', issuer: 'bench', valid: true, whitelist: 'ALLOWED' }) });
    const card = { country_code: 'NL', party_id: 'HUB', uid: 'BENCH-CARD', type: 'RFID', contract_id: 'NL-HUB-BENCH' };
    const postCdr = (prefix: string) => (i: number) => ({
      method: 'POST' as const,
      path: '/ocpi/2.2.1/cdrs',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify(cpoCdr(null, { id: `${prefix}${i}`, session_id: `${prefix}${i}`, cdr_token: card })),
    });
    // The CDRs end at 11:05 on the test clock's day: the hub's clock is past them, as it would be.
    t.clock.advance(2 * 3600_000);
    const echoCdr = await load(echoOrigin, postCdr('E'));
    const hubCdr = await profiled('cdr', () => load(t.url, postCdr('B')));
    compare('CDR POST, priced and settled', hubCdr, 'bare Koa echo of the CDR', echoCdr.rps);

    // 4. Pricing one CDR vs validating it against its schema, in process.
    const sample = cpoCdr(null, { cdr_token: card }) as any;
    const loop = (fn: () => void) => {
      let n = 0;
      const until = performance.now() + DURATION_MS / 2;
      while (performance.now() < until) {
        fn();
        n++;
      }
      return n / (DURATION_MS / 2000);
    };
    const validations = loop(() => schemaErrors('cdr.json', sample));
    const pricings = loop(() => priceSession({ tariff: ENERGY_TARIFF as any, timeZone: 'Europe/Brussels', startDateTime: sample.start_date_time, endDateTime: sample.end_date_time, chargingPeriods: sample.charging_periods }));
    compare('priceSession (one CDR, in process)', { rps: pricings }, 'JSON Schema validation of the CDR', validations);

    // 7. Pull-sync from the CPO simulator (a real OCPI CPO in this process, registered by the handshake).
    const SYNC_LOCATIONS = Number(process.env.BENCH_SYNC_LOCATIONS ?? 2000);
    const simParty = { country_code: 'NL', party_id: 'SIM' };
    const { id: simId, tokenA } = await approvedCpo(t, simParty);
    // Trusted, so its locations publish without review and the app can start on them (step 9).
    await t.admin('PUT', `/partners/${simId}/trust`, { trusted: true });
    const sim = await startSimulator({ hubVersionsUrl: `${t.url}/ocpi/versions`, tokenA, locations: SYNC_LOCATIONS, statusIntervalSeconds: 0, sessionUpdateSeconds: 600, resultDelayMs: 0 }, { print: () => {}, clock: t.clock });
    await t.hub.services.partnerSync.settled();
    // A pull asks for what changed before now (date_to): the simulator's locations were stamped this very moment.
    t.clock.advance(1000);
    const syncStarted = performance.now();
    const sync = await t.admin('POST', `/partners/${simId}/sync?mode=full`);
    const syncRps = SYNC_LOCATIONS / ((performance.now() - syncStarted) / 1000);
    if (sync.status !== 200 || sync.body.locations?.received !== SYNC_LOCATIONS) console.log(`  sync answered: HTTP ${sync.status} ${JSON.stringify(sync.body).slice(0, 300)}`);
    const syncErrors = sync.status === 200 && sync.body.locations?.received === SYNC_LOCATIONS && sync.body.locations.rejected.length === 0 ? 0 : 1;
    const fetchRps = await fetchPages(`${sim.url}/ocpi/2.2.1/locations`, sim.token);
    compare(`pull-sync of ${SYNC_LOCATIONS} locations (objects/s)`, { rps: syncRps, errors: syncErrors }, 'fetching and parsing the same pages', fetchRps);

    // 9. The app's start: each request on another of the simulator's EVSEs, for one app user.
    await fetch(`${t.url}/api/v1/tokens/BENCH-APP`, { method: 'PUT', headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'APP_USER', contract_id: 'NL-HUB-BENCHAPP', issuer: 'bench', valid: true, whitelist: 'ALLOWED' }) });
    const hubIds = new Map(
      ((await t.hub.services.orm.em.fork().getConnection().execute(`select id, location_id from locations where party_id = 'SIM'`)) as { id: string; location_id: string }[]).map((r) => [r.location_id, r.id]),
    );
    const start = (i: number) => {
      const location = sim.locations[i % sim.locations.length]!;
      const evse = location.evses[0]!;
      return {
        method: 'POST' as const,
        path: '/api/v1/charging-sessions',
        headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ location_id: hubIds.get(location.id), evse_uid: evse.uid, connector_id: evse.connectors[0]!.id, token_uid: 'BENCH-APP' }),
      };
    };
    const echoStart = await load(echoOrigin, start);
    const hubStart = await load(t.url, start);
    compare('app start (CPO answers at once)', hubStart, 'bare Koa echo of the start', echoStart.rps);
    await t.hub.services.background.drain();
    await sim.stop();
    server.close();

    // 2. Geo query over 100k EVSEs vs select 1.
    const em = t.hub.services.orm.em.fork();
    const conn = em.getConnection();
    await conn.execute(`
      insert into locations (id, partner_id, country_code, party_id, location_id, location_key, current, last_updated, published, published_at, publish_flag, lat, lon, created_at, updated_at)
      select gen_random_uuid(), '${cpo.id}', 'BE', 'BEC', 'B' || g, 'BE/BEC/B' || g, j, now(), j, now(), true, 50.5 + (g % 250) * 0.004, 3.5 + (g / 250) * 0.01, now(), now()
        from generate_series(1, 50000) g,
             lateral (select jsonb_build_object('country_code','BE','party_id','BEC','id','B' || g,'publish',true,'address','x','city','Gent','country','BEL',
               'coordinates', jsonb_build_object('latitude', (50.5 + (g % 250) * 0.004)::text, 'longitude', (3.5 + (g / 250) * 0.01)::text),
               'time_zone','Europe/Brussels','last_updated','2026-01-01T00:00:00Z',
               'evses', jsonb_build_array(
                 jsonb_build_object('uid','B' || g || '-1','status','AVAILABLE','last_updated','2026-01-01T00:00:00Z','connectors', jsonb_build_array(jsonb_build_object('id','1','standard','IEC_62196_T2','format','SOCKET','power_type','AC_3_PHASE','max_voltage',230,'max_amperage',32,'last_updated','2026-01-01T00:00:00Z'))),
                 jsonb_build_object('uid','B' || g || '-2','status','AVAILABLE','last_updated','2026-01-01T00:00:00Z','connectors', jsonb_build_array(jsonb_build_object('id','1','standard','IEC_62196_T2','format','SOCKET','power_type','AC_3_PHASE','max_voltage',230,'max_amperage',32,'last_updated','2026-01-01T00:00:00Z'))))) as j) x`);
    await conn.execute(`
      insert into evses (id, location_id, partner_id, evse_uid, evse_key, status, status_reported_at, last_updated, published)
      select gen_random_uuid(), l.id, l.partner_id, l.location_id || '-' || n, l.location_key || '-' || n, 'AVAILABLE', now(), now(), true
        from locations l, generate_series(1, 2) n where l.location_id like 'B%'`);
    await conn.execute('analyze locations; analyze evses');
    const counts = await conn.execute(`select (select count(*) from locations) as locations, (select count(*) from evses) as evses`);
    const plan = (await conn.execute(
      `explain select l.id from locations l join partners p on p.id = l.partner_id where l.published is not null and l.geo <@ box(point(3.9, 50.8), point(3.95, 50.85))`,
    )) as { 'QUERY PLAN': string }[];
    const usesIndex = plan.some((r) => r['QUERY PLAN'].includes('locations_geo'));

    const nearRequest = () => ({ method: 'GET' as const, path: '/api/v1/locations?near=50.8,3.9&radius_m=2000&limit=50', headers: { authorization: `Bearer ${APP_KEY}` } });
    const near = await load(t.url, nearRequest);
    // 6. The same page served as a constant by a bare Koa.
    const page = await (await fetch(`${t.url}${nearRequest().path}`, { headers: nearRequest().headers })).text();
    const constant = new Koa();
    constant.use((ctx) => {
      ctx.type = 'json';
      ctx.body = page;
    });
    const pageServer = http.createServer(constant.callback());
    await new Promise<void>((r) => pageServer.listen(0, '127.0.0.1', r));
    const constantPage = await load(`http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`, nearRequest);
    pageServer.close();
    compare('app geo query (near 2 km, limit 50)', near, 'bare Koa serving the same page', constantPage.rps);
    const knex = em.getKnex();
    const started = performance.now();
    let selects = 0;
    const end = performance.now() + DURATION_MS;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (performance.now() < end) { await knex.raw('select 1'); selects++; } }));
    const selectRps = selects / ((performance.now() - started) / 1000);

    // 8. The database's ceiling: one-row UPDATEs of the EVSE rows through plain pg at the same concurrency.
    const pool = new pg.Pool({ connectionString: withDatabase(process.env.OCPI_TEST_PG_URL!, t.databaseName), max: CONCURRENCY });
    const ids = (await pool.query<{ id: string }>(`select id from evses limit 1000`)).rows.map((r) => r.id);
    let updates = 0;
    const updateEnd = performance.now() + DURATION_MS;
    const updateStarted = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async (_, w) => { for (let k = w; performance.now() < updateEnd; k += CONCURRENCY) { await pool.query('update evses set status = $1, last_updated = now() where id = $2', [k % 2 ? 'CHARGING' : 'AVAILABLE', ids[k % ids.length]]); updates++; } }));
    const updateRps = updates / ((performance.now() - updateStarted) / 1000);
    await pool.end();
    compare('EVSE status PATCH vs the database ceiling', hubPatch, 'one-row UPDATE via pg (pgbench-style)', updateRps);

    console.log(`\nocpi-hub bench (${DURATION_MS / 1000} s per run, concurrency ${CONCURRENCY}, ${new Date().toISOString()})`);
    console.log(`  baseline  bare Koa PATCH echo          ${fmt(echo)}`);
    console.log(`  hub       EVSE status PATCH (OCPI)     ${fmt(hubPatch)}`);
    console.log(`  ratio     hub PATCH / Koa echo          ${(hubPatch.rps / echo.rps).toFixed(3)} (throughput)`);
    console.log(`  data      ${counts[0]!.locations} locations, ${counts[0]!.evses} EVSEs; geo query plan uses locations_geo: ${usesIndex}`);
    console.log(`  baseline  select 1 via the pool         ${selectRps.toFixed(0)} queries/s`);
    console.log(`  hub       app near=2 km, limit 50      ${fmt(near)}`);
    console.log(`  ratio     near query / select 1         ${(near.rps / selectRps).toFixed(3)} (throughput)`);
    console.log(`  baseline  bare Koa CDR echo            ${fmt(echoCdr)}`);
    console.log(`  hub       CDR POST, priced and settled ${fmt(hubCdr)}`);
    console.log(`  ratio     hub CDR / Koa echo            ${(hubCdr.rps / echoCdr.rps).toFixed(3)} (throughput)`);
    console.log(`  baseline  CDR schema validation        ${validations.toFixed(0)} /s`);
    console.log(`  engine    priceSession (1 period)       ${pricings.toFixed(0)} /s`);
    console.log(`  ratio     pricing / validation          ${(pricings / validations).toFixed(3)}`);
    console.log('\n  comparison                                   hub /s     p50 ms    p99 ms  errors   baseline /s   ratio');
    for (const r of rows) console.log(`  ${r.name.padEnd(44)} ${String(r.rps).padStart(9)} ${String(r.p50_ms ?? '-').padStart(9)} ${String(r.p99_ms ?? '-').padStart(9)} ${String(r.errors).padStart(7)} ${String(r.baseline_rps).padStart(13)} ${r.ratio.toFixed(4).padStart(7)}   (vs ${r.baseline})`);
    fs.writeFileSync(new URL('./last-run.json', import.meta.url), `${JSON.stringify(rows, null, 2)}\n`);
    if (!usesIndex) {
      console.log(plan.map((r) => r['QUERY PLAN']).join('\n'));
      process.exitCode = 1;
    }
  } finally {
    await t.stop();
    await mochaGlobalTeardown();
  }
}

await main();
// Everything is stopped; a pooled keep-alive socket must not hold the command line open after the report.
process.exit();
