import { expect } from 'chai';
import { startTestHub, type TestHub } from '../../helpers/hub.ts';

/**
 * A column is declared twice: in its module's migration (the truth of the database) and in
 * its entity (what MikroORM reads and writes). This holds the two together on every table an
 * entity maps: the same columns, the same nullability, the same kind of type, so an entity
 * edited without a migration (or the reverse) fails here, not in production.
 */
const SQL_ONLY: Record<string, string> = {
  // Generated from lat/lon for the GiST index; the geo query reads it in SQL only.
  'locations.geo': 'point',
};

/** MikroORM's column type → what information_schema reports for it. */
const TYPES: [RegExp, string[]][] = [
  [/^(bigint|bigserial)$/, ['bigint']],
  [/^int(eger)?$/, ['integer']],
  [/^timestamptz/, ['timestamp with time zone']],
  [/^numeric/, ['numeric']],
  [/^double precision$/, ['double precision']],
  [/^jsonb$/, ['jsonb']],
  [/^uuid$/, ['uuid']],
  [/^boolean$/, ['boolean']],
  [/^varchar/, ['character varying', 'character']],
  [/^text$/, ['text']],
];

describe('entities and migrations', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(async () => {
    await t.stop();
  });

  it('declare the same columns on every mapped table: names, nullability and kind of type', async () => {
    const orm = t.hub.services.orm;
    const rows: { table_name: string; column_name: string; is_nullable: string; data_type: string; udt_name: string }[] = await orm.em
      .getConnection()
      .execute(`select table_name, column_name, is_nullable, data_type, udt_name from information_schema.columns where table_schema = 'public'`);
    const tables = new Map<string, Map<string, (typeof rows)[number]>>();
    for (const row of rows) tables.set(row.table_name, (tables.get(row.table_name) ?? new Map()).set(row.column_name, row));

    const problems: string[] = [];
    const metas = Object.values(orm.getMetadata().getAll());
    expect(metas.length).to.be.greaterThan(15);
    for (const meta of metas) {
      const columns = tables.get(meta.tableName);
      if (!columns) {
        problems.push(`${meta.tableName}: entity ${meta.className} has no table`);
        continue;
      }
      const declared = new Set<string>();
      for (const prop of meta.props) {
        (prop.fieldNames ?? []).forEach((field, i) => {
          declared.add(field);
          const column = columns.get(field);
          if (!column) return problems.push(`${meta.tableName}.${field}: in the entity, no such column`);
          const nullable = column.is_nullable === 'YES';
          if (!prop.primary && Boolean(prop.nullable) !== nullable) problems.push(`${meta.tableName}.${field}: nullable ${Boolean(prop.nullable)} in the entity, ${nullable} in the table`);
          const type = (prop.columnTypes?.[i] ?? '').toLowerCase();
          const expected = TYPES.find(([pattern]) => pattern.test(type))?.[1];
          if (!expected) problems.push(`${meta.tableName}.${field}: entity type ${type} is not one this check knows`);
          else if (!expected.includes(column.data_type)) problems.push(`${meta.tableName}.${field}: ${type} in the entity, ${column.data_type} in the table`);
        });
      }
      for (const [name, column] of columns) {
        if (declared.has(name)) continue;
        const sqlOnly = SQL_ONLY[`${meta.tableName}.${name}`];
        if (sqlOnly !== column.udt_name) problems.push(`${meta.tableName}.${name}: in the table, not in the entity`);
      }
    }
    expect(problems).to.deep.equal([]);
  });
});
