import { canonicalSchemas } from '../validator.ts';
import { defineVersion } from './adapter.ts';

/** OCPI 2.2.1 is the hub's own model: validated as generated, nothing to fill or leave out. */
export const v2_2_1 = defineVersion({ version: '2.2.1', schemas: canonicalSchemas });
