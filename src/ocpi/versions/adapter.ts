import { invalid } from '../../errors.ts';
import { validate, type SchemaSet } from '../validator.ts';
import { applyTolerances, type ToleranceName } from '../tolerances.ts';
import { OBJECT_SCHEMAS, type ObjectType } from './objects.ts';
import { namedObjects } from './schema-walk.ts';
import { parseDateTime } from '../datetime.ts';
import { hasInvisibleFormatting, isDisplayedObject, stripInvisibleFormatting } from '../display-text.ts';

/**
 * The version of OCPI a partner speaks is an edge of the hub. Inside there is one model, the
 * 2.2.1 one (schemas/, src/ocpi/types.ts); per version an adapter validates what that version
 * allows, fills what the canonical model needs, and renders canonical objects in that
 * version's shapes. A module never asks which version it is talking to.
 */
export interface Deviation {
  kind: 'UNKNOWN_FIELD' | 'TOLERATED';
  object: ObjectType;
  /** The field path with list positions dropped (`evses[].vendor_x`), or the tolerance's name. */
  name: string;
}

export interface TokenParty {
  country_code: string;
  party_id: string;
}

/** What an adapter needs from the hub while it reads a partner's object. */
export interface AcceptContext {
  /** The tolerances the operator switched on for this partner. */
  tolerances: ReadonlySet<ToleranceName>;
  /** The party owning one of the hub's tokens, when the token is one (fills what older versions leave out). */
  tokenParty(uid: string, type: string): Promise<TokenParty | undefined>;
  /** Counts unknown fields and tolerated deviations on the partner. */
  report(deviations: Deviation[]): void;
  /** The hub's clock and how far ahead of it a partner's last_updated may be (MAX_CLOCK_SKEW_SECONDS). */
  clock: { now(): Date; maxSkewSeconds: number };
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: string[] };

export interface VersionAdapter {
  /** The version number as OCPI writes it (`2.2.1`). */
  readonly version: string;
  readonly schemas: SchemaSet;
  /** Reads a partner's object: tolerances, this version's schema, then the canonical fill. */
  check<T = Record<string, any>>(type: ObjectType, body: unknown, ctx: AcceptContext): Promise<Checked<T>>;
  /** `check`, throwing an OCPI 2001 that names the fields. */
  accept<T = Record<string, any>>(type: ObjectType, body: unknown, ctx: AcceptContext): Promise<T>;
  /** A canonical object (or list of them) as this version shows it. */
  render(type: ObjectType, value: unknown): unknown;
}

export interface VersionDefinition {
  version: string;
  schemas: SchemaSet;
  /** Completes a valid object of this version into the canonical model (in place). */
  fill?(type: ObjectType, value: Record<string, any>, ctx: AcceptContext): Promise<void>;
  /** Fields the canonical model has and this version does not, per schema object name: left out when rendering. */
  absent?: Record<string, string[]>;
}

/**
 * A last_updated far ahead of our clock would make every later update "older than stored",
 * acknowledged and ignored for ever: refused, naming the field and the skew.
 */
function lastUpdatedAhead(value: unknown, clock: AcceptContext['clock'], path = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => lastUpdatedAhead(item, clock, `${path}[${i}]`));
  const problems: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    const field = path ? `${path}.${key}` : key;
    if (key === 'last_updated' && typeof item === 'string') {
      const at = parseDateTime(item);
      const ahead = at ? (at.getTime() - clock.now().getTime()) / 1000 : 0;
      if (ahead > clock.maxSkewSeconds) problems.push(`${field}: ${item} is ${Math.round(ahead)} s ahead of the hub's clock (at most ${clock.maxSkewSeconds} s allowed: MAX_CLOCK_SKEW_SECONDS)`);
    } else problems.push(...lastUpdatedAhead(item, clock, field));
  }
  return problems;
}

/** `evses[3].connectors[0].x` → `evses[].connectors[].x`: one name however many list items carry it. */
const generalise = (field: string) => field.replace(/\[\d+\]/g, '[]');

export function defineVersion(definition: VersionDefinition): VersionAdapter {
  const { version, schemas, fill, absent } = definition;

  async function check<T>(type: ObjectType, body: unknown, ctx: AcceptContext): Promise<Checked<T>> {
    const deviations: Deviation[] = [];
    let value = body;
    const strip = isDisplayedObject(type) && hasInvisibleFormatting(value);
    if ((ctx.tolerances.size || strip) && value !== null && typeof value === 'object') {
      // Normalised on a copy: the caller's body stays what the partner sent.
      value = structuredClone(value);
      for (const name of applyTolerances(value, ctx.tolerances)) deviations.push({ kind: 'TOLERATED', object: type, name });
      if (strip) stripInvisibleFormatting(value);
    }
    const { errors, unknown } = validate(OBJECT_SCHEMAS[type], value, schemas);
    for (const field of new Set(unknown.map(generalise))) deviations.push({ kind: 'UNKNOWN_FIELD', object: type, name: field });
    if (deviations.length) ctx.report(deviations);
    if (errors.length) return { ok: false, problems: errors };
    const future = lastUpdatedAhead(value, ctx.clock);
    if (future.length) return { ok: false, problems: future };
    if (fill && value !== null && typeof value === 'object') {
      if (value === body) value = structuredClone(value);
      await fill(type, value as Record<string, any>, ctx);
    }
    return { ok: true, value: value as T };
  }

  function renderOne(type: ObjectType, value: unknown): unknown {
    if (!absent || value === null || typeof value !== 'object') return value;
    const copy = structuredClone(value) as Record<string, unknown>;
    for (const { name, object } of namedObjects(schemas.documents(), OBJECT_SCHEMAS[type], copy)) {
      for (const field of absent[name] ?? []) delete object[field];
    }
    return copy;
  }

  return {
    version,
    schemas,
    check,
    async accept<T>(type: ObjectType, body: unknown, ctx: AcceptContext): Promise<T> {
      const checked = await check<T>(type, body, ctx);
      if (!checked.ok) throw invalid(checked.problems.slice(0, 5).join('; '), { errors: checked.problems });
      return checked.value;
    },
    render(type, value) {
      return Array.isArray(value) ? value.map((v) => renderOne(type, v)) : renderOne(type, value);
    },
  };
}
