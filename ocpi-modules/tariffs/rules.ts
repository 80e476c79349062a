import type { Tariff } from '../../src/ocpi/types.ts';

/** Business rules beyond the schema; each problem names the field. */
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

export function tariffProblems(tariff: Tariff): string[] {
  const problems: string[] = [];
  if (!CURRENCIES.has(tariff.currency)) problems.push(`currency: "${tariff.currency}" is not an ISO 4217 currency code`);
  for (const name of ['min_price', 'max_price'] as const) {
    const price = tariff[name];
    if (price && price.excl_vat < 0) problems.push(`${name}.excl_vat: ${price.excl_vat} must not be negative`);
    if (price && price.incl_vat != null && price.incl_vat < 0) problems.push(`${name}.incl_vat: ${price.incl_vat} must not be negative`);
    if (price && price.incl_vat != null && price.incl_vat < price.excl_vat) problems.push(`${name}.incl_vat: ${price.incl_vat} is less than excl_vat ${price.excl_vat}`);
  }
  if (tariff.min_price && tariff.max_price && tariff.min_price.excl_vat > tariff.max_price.excl_vat) {
    problems.push(`min_price.excl_vat: ${tariff.min_price.excl_vat} exceeds max_price.excl_vat ${tariff.max_price.excl_vat}`);
  }
  if (tariff.start_date_time && tariff.end_date_time && tariff.end_date_time <= tariff.start_date_time) {
    problems.push(`end_date_time: ${tariff.end_date_time} is not after start_date_time ${tariff.start_date_time}`);
  }
  tariff.elements.forEach((element, i) => {
    element.price_components.forEach((pc, j) => {
      const at = `elements[${i}].price_components[${j}]`;
      if (pc.price < 0) problems.push(`${at}.price: ${pc.price} must not be negative`);
      if (pc.vat != null && (pc.vat < 0 || pc.vat > 100)) problems.push(`${at}.vat: ${pc.vat} is not a percentage from 0 to 100`);
      if (pc.step_size < 0) problems.push(`${at}.step_size: ${pc.step_size} must not be negative`);
      if (pc.type === 'FLAT' && pc.step_size > 1) problems.push(`${at}.step_size: a FLAT price has no steps (use 1)`);
    });
    const r = element.restrictions;
    if (!r) return;
    const at = `elements[${i}].restrictions`;
    const pairs: [string, number | string | null | undefined, string, number | string | null | undefined][] = [
      ['start_date', r.start_date, 'end_date', r.end_date],
      ['min_kwh', r.min_kwh, 'max_kwh', r.max_kwh],
      ['min_current', r.min_current, 'max_current', r.max_current],
      ['min_power', r.min_power, 'max_power', r.max_power],
      ['min_duration', r.min_duration, 'max_duration', r.max_duration],
    ];
    for (const [lowName, low, highName, high] of pairs) {
      if (low != null && high != null && low > high) problems.push(`${at}.${lowName}: ${low} exceeds ${highName} ${high}`);
    }
    for (const name of ['min_kwh', 'max_kwh', 'min_current', 'max_current', 'min_power', 'max_power', 'min_duration', 'max_duration'] as const) {
      const value = r[name];
      if (value != null && value < 0) problems.push(`${at}.${name}: ${value} must not be negative`);
    }
    if (r.start_time != null && r.end_time != null && r.start_time === r.end_time) problems.push(`${at}.end_time: equals start_time ${r.start_time} (an empty period)`);
    const seen = new Set<string>();
    (r.day_of_week ?? []).forEach((day, k) => {
      if (!DAYS.includes(day)) problems.push(`${at}.day_of_week[${k}]: "${day}" is not a day`);
      if (seen.has(day)) problems.push(`${at}.day_of_week[${k}]: ${day} is listed twice`);
      seen.add(day);
    });
  });
  return problems;
}
