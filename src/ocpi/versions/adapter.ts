import { invalid } from '../../errors.ts';
import { validate, type SchemaSet } from '../validator.ts';
import { applyTolerances, type ToleranceName } from '../tolerances.ts';
import { OBJECT_SCHEMAS, type ObjectType } from './objects.ts';
import { namedObjects } from './schema-walk.ts';

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

/** `evses[3].connectors[0].x` → `evses[].connectors[].x`: one name however many list items carry it. */
const generalise = (field: string) => field.replace(/\[\d+\]/g, '[]');

export function defineVersion(definition: VersionDefinition): VersionAdapter {
  const { version, schemas, fill, absent } = definition;

  async function check<T>(type: ObjectType, body: unknown, ctx: AcceptContext): Promise<Checked<T>> {
    const deviations: Deviation[] = [];
    let value = body;
    if (ctx.tolerances.size && value !== null && typeof value === 'object') {
      // Normalised on a copy: the caller's body stays what the partner sent.
      value = structuredClone(value);
      for (const name of applyTolerances(value, ctx.tolerances)) deviations.push({ kind: 'TOLERATED', object: type, name });
    }
    const { errors, unknown } = validate(OBJECT_SCHEMAS[type], value, schemas);
    for (const field of new Set(unknown.map(generalise))) deviations.push({ kind: 'UNKNOWN_FIELD', object: type, name: field });
    if (deviations.length) ctx.report(deviations);
    if (errors.length) return { ok: false, problems: errors };
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
