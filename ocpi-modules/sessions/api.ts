/** The sessions adapter's face: a session as stored, and writing one found by compensation's query. */
export { SessionEntity } from './entities.ts';
export type { SessionRecord } from './entities.ts';
export { writeSession } from './store.ts';
