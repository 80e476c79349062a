/**
 * The one door from the OCPI adapters into charging: something a CPO sent has arrived, and
 * its order moves. A session (pushed, or found by compensation's query), a CDR once stored,
 * a CommandResult at our response_url. Adapters import nothing else of charging/.
 */
export { linkSession as sessionArrived, type LinkContext, type SessionVia } from './session-orders.ts';
export { cdrArrived } from './cdr-orders.ts';
export { commandResultArrived } from './command-results.ts';
export type { SettleContext } from './settlement.ts';
export type { CommandRecord } from './entities.ts';
