import { expect } from 'chai';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { priceSession, type PricingInput, type PricingResult } from '../../pricing/price.ts';
import type { CdrDimension, ChargingPeriod, DayOfWeek, Price, PriceComponent, Tariff, TariffElement, TariffRestrictions } from '../../src/ocpi/types.ts';

/*
 * Properties of the tariff engine over generated tariffs and sessions. The runs are deterministic
 * (seed 42) so a failure reproduces; fast-check prints the shrunk counterexample.
 */

const RUNS = { seed: 42, numRuns: 200 };
const MINUTE = 60_000;
const DAYS: DayOfWeek[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

/** A number with at most `decimals` decimals, as CPOs send them. */
const amount = (max: number, decimals = 4) => fc.integer({ min: 0, max: max * 10 ** decimals }).map((n) => n / 10 ** decimals);
const hhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45)).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const day2024 = fc.integer({ min: 0, max: 365 }).map((d) => new Date(Date.UTC(2024, 0, 1) + d * 86_400_000).toISOString().slice(0, 10));

/** Every restriction kind; an element gets one or two of them, so that elements match often enough to price something. */
const restrictionKinds = {
  start_time: hhmm,
  end_time: hhmm,
  start_date: day2024,
  end_date: day2024,
  min_kwh: amount(40, 1),
  max_kwh: amount(80, 1),
  min_current: fc.integer({ min: 0, max: 64 }),
  max_current: fc.integer({ min: 0, max: 64 }),
  min_power: amount(150, 1),
  max_power: amount(150, 1),
  min_duration: fc.integer({ min: 0, max: 4 * 3600 }),
  max_duration: fc.integer({ min: 0, max: 8 * 3600 }),
  day_of_week: fc.subarray(DAYS),
  reservation: fc.constantFrom('RESERVATION' as const, 'RESERVATION_EXPIRES' as const),
};
const restrictionsArb: fc.Arbitrary<TariffRestrictions> = fc
  .tuple(fc.record(restrictionKinds), fc.subarray(Object.keys(restrictionKinds) as (keyof TariffRestrictions)[], { minLength: 1, maxLength: 2 }))
  .map(([all, keys]) => Object.fromEntries(keys.map((k) => [k, all[k]])) as TariffRestrictions);

const componentArb = (types: PriceComponent['type'][]): fc.Arbitrary<PriceComponent> =>
  fc.record(
    {
      type: fc.constantFrom(...types),
      price: amount(2),
      vat: fc.constantFrom(0, 5.2, 9, 10, 19, 20, 21, 25),
      step_size: fc.constantFrom(0, 1, 25, 60, 100, 300, 500, 900, 1800),
    },
    { requiredKeys: ['type', 'price', 'step_size'] },
  );

const elementArb = (types: PriceComponent['type'][], restricted = restrictionsArb): fc.Arbitrary<TariffElement> =>
  fc.record({ price_components: fc.array(componentArb(types), { minLength: 1, maxLength: 3 }), restrictions: restricted }, { requiredKeys: ['price_components'] });

/**
 * A price limit. `exact`: in whole minor units (so that min ≤ max stays satisfiable after
 * rounding); otherwise also with the spec's 4 decimals, finer than the currency's minor unit.
 */
const limitArb = (currency: string, max: number, exact = false): fc.Arbitrary<Price> => {
  const digits = currency === 'JPY' ? 0 : currency === 'BHD' ? 3 : 2;
  return (exact ? fc.constant(digits) : fc.constantFrom(digits, 4)).chain((decimals) =>
    fc.record({ excl_vat: amount(max, decimals), incl_vat: amount(max * 1.25, decimals) }, { requiredKeys: ['excl_vat'] }),
  );
};

interface TariffShape {
  types?: PriceComponent['type'][];
  restricted?: fc.Arbitrary<TariffRestrictions>;
  /** `some`: each limit present or not. */
  limits?: 'none' | 'some' | 'min' | 'max' | 'both';
}

const tariffArb = ({ types = ['ENERGY', 'FLAT', 'PARKING_TIME', 'TIME'], restricted = restrictionsArb, limits = 'none' }: TariffShape = {}): fc.Arbitrary<Tariff> =>
  fc.constantFrom('EUR', 'JPY', 'BHD').chain((currency) =>
    fc
      .record({
        elements: fc.array(elementArb(types, restricted), { minLength: 1, maxLength: 5 }),
        // The spec advises an unrestricted fallback after the restricted elements; half the tariffs have one.
        fallback: fc.option(elementArb(types, fc.constant(undefined as unknown as TariffRestrictions)), { nil: undefined }),
        min: limitWhen(limits === 'min' || limits === 'both', limits === 'some', limitArb(currency, 20, limits === 'both')),
        max: limitWhen(limits === 'max' || limits === 'both', limits === 'some', limitArb(currency, 80, limits === 'both')),
      })
      .map(({ elements, fallback, min, max }) => {
        // When both limits are set, keep min ≤ max side by side, as a valid tariff would.
        if (min && max) {
          min = { excl_vat: Math.min(min.excl_vat, max.excl_vat), ...(isSet(min.incl_vat) && isSet(max.incl_vat) ? { incl_vat: Math.min(min.incl_vat, max.incl_vat) } : {}) };
        }
        return {
          country_code: 'NL',
          party_id: 'TST',
          id: 'p',
          currency,
          elements: fallback ? [...elements, fallback] : elements,
          ...(min ? { min_price: min } : {}),
          ...(max ? { max_price: max } : {}),
          last_updated: '2024-01-01T00:00:00Z',
        };
      }),
  );

const limitWhen = (always: boolean, maybe: boolean, limit: fc.Arbitrary<Price>): fc.Arbitrary<Price | undefined> =>
  always ? limit : maybe ? fc.option(limit, { nil: undefined }) : fc.constant(undefined);

const isSet = <T>(v: T | null | undefined): v is T => v !== null && v !== undefined;

const periodArb = fc.record({
  gapMinutes: fc.integer({ min: 0, max: 180 }),
  energy: fc.option(amount(60, 3), { nil: undefined }),
  time: fc.option(amount(3), { nil: undefined }),
  parking: fc.option(amount(2), { nil: undefined }),
  minCurrent: fc.option(fc.integer({ min: -16, max: 64 }), { nil: undefined }),
  maxPower: fc.option(amount(150, 1), { nil: undefined }),
});

const sessionArb = fc.record({
  startMinute: fc.integer({ min: 0, max: 366 * 24 * 60 }),
  periods: fc.array(periodArb, { minLength: 1, maxLength: 6 }),
  tailMinutes: fc.integer({ min: 0, max: 240 }),
  timeZone: fc.constantFrom('UTC', 'Europe/Amsterdam', 'America/New_York', 'Asia/Tokyo', 'Australia/Lord_Howe'),
});
type Session = typeof sessionArb extends fc.Arbitrary<infer S> ? S : never;

function input(tariff: Tariff, s: Session): PricingInput {
  let at = Date.UTC(2024, 0, 1) + s.startMinute * MINUTE;
  const startDateTime = new Date(at).toISOString();
  const chargingPeriods: ChargingPeriod[] = s.periods.map((p, i) => {
    if (i > 0) at += p.gapMinutes * MINUTE;
    const dimensions: CdrDimension[] = [];
    if (p.energy !== undefined) dimensions.push({ type: 'ENERGY', volume: p.energy });
    if (p.time !== undefined) dimensions.push({ type: 'TIME', volume: p.time });
    if (p.parking !== undefined) dimensions.push({ type: 'PARKING_TIME', volume: p.parking });
    if (p.minCurrent !== undefined) dimensions.push({ type: 'MIN_CURRENT', volume: p.minCurrent });
    if (p.maxPower !== undefined) dimensions.push({ type: 'MAX_POWER', volume: p.maxPower });
    return { start_date_time: new Date(at).toISOString(), dimensions };
  });
  return { tariff, timeZone: s.timeZone, startDateTime, endDateTime: new Date(at + s.tailMinutes * MINUTE).toISOString(), chargingPeriods };
}

/** The same session with `kwh` more energy in period `index`. */
function withMoreEnergy(s: Session, index: number, kwh: number): Session {
  return { ...s, periods: s.periods.map((p, i) => (i === index ? { ...p, energy: (p.energy ?? 0) + kwh } : p)) };
}

const total = (r: PricingResult) => ({ excl: new Decimal(r.total.excl_vat), incl: new Decimal(r.total.incl_vat) });

describe('priceSession properties (fast-check, seed 42)', () => {
  it('the price is never negative', () => {
    fc.assert(
      fc.property(tariffArb({ limits: 'some' }), sessionArb, (tariff, s) => {
        const r = priceSession(input(tariff, s));
        for (const amount of [r.total, ...r.dimensions.map((d) => d.cost)]) {
          expect(new Decimal(amount.excl_vat).isNegative(), amount.excl_vat).to.equal(false);
          expect(new Decimal(amount.incl_vat).isNegative(), amount.incl_vat).to.equal(false);
        }
      }),
      RUNS,
    );
  });

  /*
   * Monotonicity in energy. Under the spec's step_size rule the round-up of the session total is
   * billed at the last ENERGY component, so more energy *earlier*, at a cheaper component, can
   * shrink a dearer round-up (pricing.test.ts shows a case). What holds in general is therefore:
   * more energy in the last period with energy never lowers the price, whatever the restrictions;
   * and with one ENERGY price, more energy anywhere never lowers it.
   */
  it('ENERGY-only tariffs: more energy in the last period with energy never lowers the price', () => {
    fc.assert(
      fc.property(tariffArb({ types: ['ENERGY'], limits: 'some' }), sessionArb, amount(20, 3), (tariff, s, extra) => {
        const last = s.periods.map((p) => p.energy ?? 0).reduce((found, kwh, i) => (kwh > 0 ? i : found), -1);
        fc.pre(last >= 0);
        const before = total(priceSession(input(tariff, s)));
        const after = total(priceSession(input(tariff, withMoreEnergy(s, last, extra))));
        expect(after.excl.gte(before.excl), `${before.excl} → ${after.excl}`).to.equal(true);
        expect(after.incl.gte(before.incl), `${before.incl} → ${after.incl}`).to.equal(true);
      }),
      RUNS,
    );
  });

  it('ENERGY-only tariffs with one price: more energy in any period never lowers the price', () => {
    const unrestricted = fc.constant(undefined as unknown as TariffRestrictions);
    fc.assert(
      fc.property(
        tariffArb({ types: ['ENERGY'], restricted: unrestricted, limits: 'some' }).map((t) => ({ ...t, elements: t.elements.slice(0, 1) })),
        sessionArb,
        fc.nat(),
        amount(20, 3),
        (tariff, s, pick, extra) => {
          const index = pick % s.periods.length;
          const before = total(priceSession(input(tariff, s)));
          const after = total(priceSession(input(tariff, withMoreEnergy(s, index, extra))));
          expect(after.excl.gte(before.excl), `${before.excl} → ${after.excl}`).to.equal(true);
          expect(after.incl.gte(before.incl), `${before.incl} → ${after.incl}`).to.equal(true);
        },
      ),
      RUNS,
    );
  });

  it('max_price is never exceeded', () => {
    fc.assert(
      fc.property(tariffArb({ limits: 'max' }), sessionArb, (tariff, s) => {
        const r = total(priceSession(input(tariff, s)));
        const max = tariff.max_price!;
        expect(r.excl.lte(max.excl_vat), `${r.excl} > ${max.excl_vat}`).to.equal(true);
        if (isSet(max.incl_vat)) expect(r.incl.lte(max.incl_vat), `${r.incl} > ${max.incl_vat}`).to.equal(true);
      }),
      RUNS,
    );
  });

  it('min_price is always reached', () => {
    fc.assert(
      fc.property(tariffArb({ limits: 'min' }), sessionArb, (tariff, s) => {
        const r = total(priceSession(input(tariff, s)));
        const min = tariff.min_price!;
        expect(r.excl.gte(min.excl_vat), `${r.excl} < ${min.excl_vat}`).to.equal(true);
        if (isSet(min.incl_vat)) expect(r.incl.gte(min.incl_vat), `${r.incl} < ${min.incl_vat}`).to.equal(true);
      }),
      RUNS,
    );
  });

  it('with both limits set (min ≤ max), the total lies between them', () => {
    fc.assert(
      fc.property(tariffArb({ limits: 'both' }), sessionArb, (tariff, s) => {
        const r = priceSession(input(tariff, s));
        const { excl } = total(r);
        expect(excl.gte(tariff.min_price!.excl_vat) && excl.lte(tariff.max_price!.excl_vat), `${excl}`).to.equal(true);
      }),
      RUNS,
    );
  });
});
