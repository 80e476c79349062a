import { checkUrl } from '../../src/client/url-policy.ts';
import type { Charging, CdrToken } from './charging.ts';
import type { Faults, FaultMode } from './faults.ts';
import type { HubLink } from './hub-link.ts';
import type { Print } from './print.ts';
import type { Scheduler } from './scheduler.ts';
import { findEvse, type World } from './world.ts';

/**
 * The Commands receiver: a CommandResponse at once (ACCEPTED with a timeout, or why not),
 * then, after the result delay, the work and the CommandResult POSTed to response_url.
 * `reject`, `slow` and `lost-result` act here, per EVSE.
 */
const COMMAND_TIMEOUT_SECONDS = 30;

export interface CommandAnswer {
  httpStatus: number;
  statusCode: number;
  message?: string;
  data: { result: string; timeout: number; message?: { language: string; text: string }[] };
}

export interface CommandsContext {
  world: World;
  charging: Charging;
  faults: Faults;
  scheduler: Scheduler;
  link: HubLink;
  print: Print;
  resultDelayMs: number;
  slowSeconds: number;
  onError: (err: unknown) => void;
}

const answer = (result: string, statusCode = 1000, message?: string): CommandAnswer => ({
  httpStatus: 200,
  statusCode,
  ...(message ? { message } : {}),
  data: { result, timeout: COMMAND_TIMEOUT_SECONDS, ...(message ? { message: [{ language: 'en', text: message }] } : {}) },
});
const badRequest = (message: string): CommandAnswer => ({ httpStatus: 400, statusCode: 2001, message, data: { result: 'REJECTED', timeout: 0, message: [{ language: 'en', text: message }] } });

/** The EVSE a command is about (for its fault mode), before the command is handled. */
export function commandEvse(ctx: Pick<CommandsContext, 'charging'>, type: string, body: Record<string, unknown>): string | undefined {
  if (type === 'STOP_SESSION') return typeof body.session_id === 'string' ? ctx.charging.active(body.session_id)?.evse_uid : undefined;
  return typeof body.evse_uid === 'string' ? body.evse_uid : undefined;
}

export async function handleCommand(ctx: CommandsContext, type: string, body: Record<string, unknown>): Promise<CommandAnswer> {
  const responseUrl = body.response_url;
  if (typeof responseUrl !== 'string') return badRequest('response_url: is required');
  try {
    checkUrl(responseUrl);
  } catch {
    return badRequest('response_url: must be an http(s) URL');
  }
  const mode: FaultMode = ctx.faults.modeFor(commandEvse(ctx, type, body));
  if (mode === 'reject') return answer('REJECTED', 1000, 'rejected by the simulator (fault mode reject)');
  let work: (() => Promise<Outcome>) | undefined;
  let refusal: CommandAnswer | undefined;
  if (type === 'START_SESSION') ({ work, refusal } = startSession(ctx, body));
  else if (type === 'STOP_SESSION') ({ work, refusal } = stopSession(ctx, body));
  else if (type === 'UNLOCK_CONNECTOR') ({ work, refusal } = unlockConnector(ctx, body));
  else return answer('NOT_SUPPORTED');
  if (refusal) return refusal;
  const later = () => {
    ctx.scheduler.after(ctx.resultDelayMs, async () => {
      // The charger's answer first (the CommandResult), then what follows from it (session, CDR).
      let outcome: Outcome;
      try {
        outcome = await work!();
      } catch (err) {
        ctx.onError(err);
        outcome = { result: 'FAILED' };
      }
      if (mode === 'lost-result') ctx.print(`  (fault lost-result: the ${type} CommandResult ${outcome.result} is not sent)`);
      else {
        try {
          await ctx.link.call('POST', responseUrl, { result: outcome.result });
        } catch (err) {
          // The charger did what it said, whether or not the hub heard it.
          ctx.onError(err);
        }
      }
      await outcome.afterwards?.();
    });
  };
  if (mode === 'slow') {
    // The hub gave up waiting long ago; the answer (and the work) comes anyway.
    return new Promise((resolve) => ctx.scheduler.after(ctx.slowSeconds * 1000, () => {
      later();
      resolve(answer('ACCEPTED'));
    }));
  }
  later();
  return answer('ACCEPTED');
}

/** What the charger says (the CommandResult) and what it then does. */
type Outcome = { result: string; afterwards?: () => Promise<unknown> };
type Plan = { work?: () => Promise<Outcome>; refusal?: CommandAnswer };

function startSession(ctx: CommandsContext, body: Record<string, unknown>): Plan {
  const token = body.token as Partial<CdrToken> | undefined;
  if (!token || typeof token.uid !== 'string' || typeof token.type !== 'string') return { refusal: badRequest('token: is required, with uid and type') };
  if (typeof body.location_id !== 'string') return { refusal: badRequest('location_id: is required') };
  if (!ctx.world.locations.some((l) => l.id === body.location_id)) return { refusal: answer('REJECTED', 2003, `unknown location ${body.location_id}`) };
  // evse_uid is optional in OCPI: without one, the location's first free EVSE.
  const evseUid = typeof body.evse_uid === 'string' ? body.evse_uid : ctx.world.locations.find((l) => l.id === body.location_id)!.evses.find((e) => e.status === 'AVAILABLE' && !ctx.charging.onEvse(e.uid))?.uid;
  if (evseUid === undefined) return { refusal: answer('REJECTED', 1000, `no free EVSE at ${body.location_id}`) };
  const found = findEvse(ctx.world, body.location_id, evseUid);
  if (!found) return { refusal: answer('REJECTED', 2003, `unknown EVSE ${evseUid}`) };
  const connectorId = typeof body.connector_id === 'string' ? body.connector_id : found.evse.connectors[0]!.id;
  if (!found.evse.connectors.some((c) => c.id === connectorId)) return { refusal: answer('REJECTED', 2003, `unknown connector ${connectorId}`) };
  const reference = typeof body.authorization_reference === 'string' ? body.authorization_reference : undefined;
  const cdrToken: CdrToken = { country_code: String(token.country_code ?? ''), party_id: String(token.party_id ?? ''), uid: token.uid, type: token.type, contract_id: String(token.contract_id ?? token.uid) };
  return {
    async work() {
      if (ctx.charging.onEvse(found.evse.uid) || found.evse.status !== 'AVAILABLE') return { result: 'EVSE_OCCUPIED' };
      // no-reference: the session and CDR carry no authorization_reference, as some CPOs do.
      const omit = ctx.faults.modeFor(found.evse.uid) === 'no-reference';
      return { result: 'ACCEPTED', afterwards: () => ctx.charging.start(found.location, found.evse, connectorId, cdrToken, omit ? undefined : reference) };
    },
  };
}

function stopSession(ctx: CommandsContext, body: Record<string, unknown>): Plan {
  if (typeof body.session_id !== 'string') return { refusal: badRequest('session_id: is required') };
  const sessionId = body.session_id;
  if (!ctx.charging.active(sessionId)) return { refusal: answer('UNKNOWN_SESSION', 1000, `no active session ${sessionId}`) };
  return {
    async work() {
      return ctx.charging.active(sessionId) ? { result: 'ACCEPTED', afterwards: () => ctx.charging.stop(sessionId) } : { result: 'UNKNOWN_SESSION' };
    },
  };
}

function unlockConnector(ctx: CommandsContext, body: Record<string, unknown>): Plan {
  if (typeof body.location_id !== 'string' || typeof body.evse_uid !== 'string' || typeof body.connector_id !== 'string') return { refusal: badRequest('location_id, evse_uid and connector_id: are required') };
  const found = findEvse(ctx.world, body.location_id, body.evse_uid);
  if (!found || !found.evse.connectors.some((c) => c.id === body.connector_id)) return { refusal: answer('REJECTED', 2003, 'unknown location, EVSE or connector') };
  return { work: async () => ({ result: 'ACCEPTED' }) };
}
