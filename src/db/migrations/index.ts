import { Migration0001Foundation } from './0001-foundation.ts';

/** Every migration, in order. Listed here rather than discovered by glob, which breaks under tsx. */
export const migrations = [{ name: '0001-foundation', class: Migration0001Foundation }];
