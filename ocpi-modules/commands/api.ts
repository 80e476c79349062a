/** The commands adapter's face: sending a command to a CPO's Receiver. */
export { commandsUrl, responseUrl, sendCommand } from './sender.ts';
export type { SendOutcome } from './sender.ts';
