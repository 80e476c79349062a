/**
 * The JSON APIs answer in snake_case what the entities hold in camelCase. A view lists its
 * fields in the order the API answers them, since clients and tests compare whole objects:
 *
 * - `'partnerId'` answers `partner_id: record.partnerId`;
 * - `'orderId?'` answers `order_id: record.orderId ?? null`: an absent optional field is
 *   answered as null, never left out of the JSON;
 * - `['answered_at', 'responseAt?']` answers under a name of the API's own.
 *
 * Values are copied as they are (a Date stays a Date, serialised by JSON.stringify); anything
 * computed belongs in the view itself, next to the fields this maps.
 */

type Key<T> = Extract<keyof T, string>;
type Source<T> = Key<T> | `${Key<T>}?`;

export type ViewField<T> = Source<T> | readonly [name: string, source: Source<T>];

type Snake<S extends string> = S extends `${infer H}${infer R}` ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${Snake<R>}` : S;
type SourceOf<F> = F extends readonly [string, infer S] ? S : F;
type NameOf<F> = F extends readonly [infer N extends string, unknown] ? N : F extends `${infer K}?` ? Snake<K> : Snake<F & string>;
type ValueOf<T, F> = SourceOf<F> extends `${infer K extends Key<T>}?` ? NonNullable<T[K]> | null : T[SourceOf<F> & Key<T>];

export type View<T, Fields extends readonly ViewField<T>[]> = { [F in Fields[number] as NameOf<F>]: ValueOf<T, F> };

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export function snakeView<T extends object, const Fields extends readonly ViewField<T>[]>(record: T, fields: Fields): View<T, Fields> {
  const view: Record<string, unknown> = {};
  for (const field of fields) {
    const [name, source] = typeof field === 'string' ? [undefined, field] : field;
    const optional = source.endsWith('?');
    const key = optional ? source.slice(0, -1) : source;
    const value = (record as Record<string, unknown>)[key];
    view[name ?? snake(key)] = optional ? (value ?? null) : value;
  }
  return view as View<T, Fields>;
}
