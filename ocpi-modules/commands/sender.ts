import type { Services } from '../../src/services.ts';
import type { Partner } from '../../src/partners/api.ts';
import { callPartner, partnerEndpoint } from '../../src/client/partner-client.ts';
import { OcpiCallError } from '../../src/client/ocpi-client.ts';
import { HubError } from '../../src/errors.ts';
import { partnerObjects } from '../../src/ocpi/versions/context.ts';
import type { ObjectType } from '../../src/ocpi/versions/index.ts';
import type { CommandResponse } from '../../src/ocpi/types.ts';
import type { CommandRecord } from '../../charging/link.ts';

/**
 * POSTs a command to the CPO's commands receiver and says what the answer means for us:
 * ACCEPTED (a CommandResult will follow), REFUSED (it will certainly not run) or UNKNOWN
 * (it may have run: timeout, network failure, server error, an answer we cannot read).
 * Only an explicit refusal is treated as one; anything doubtful must be confirmed.
 * THROTTLED: HTTP 429 or 503, the CPO saying "not now": not executed, may be sent again
 * after `retryAfterSeconds` (its Retry-After, seconds or an HTTP date; 1 s when absent).
 */
export type SendOutcome =
  | { kind: 'THROTTLED'; retryAfterSeconds: number; evidence: Record<string, unknown> }
  | { kind: 'ACCEPTED'; response: CommandResponse; evidence: Record<string, unknown> }
  | { kind: 'REFUSED'; result: string; evidence: Record<string, unknown> }
  | { kind: 'UNKNOWN'; reason: string; evidence: Record<string, unknown> };

/** Where the CPO POSTs its CommandResult: under the version it speaks (the stored request is canonical, 2.2.1). */
export function responseUrl(services: Services, command: Pick<CommandRecord, 'type' | 'id'>, version = '2.2.1'): string {
  return `${services.config.publicUrl}/ocpi/${version}/commands/${command.type}/${command.id}`;
}

const REQUEST_OBJECTS: Record<string, ObjectType> = {
  START_SESSION: 'StartSession',
  STOP_SESSION: 'StopSession',
  UNLOCK_CONNECTOR: 'UnlockConnector',
  RESERVE_NOW: 'ReserveNow',
  CANCEL_RESERVATION: 'CancelReservation',
};

export function commandsUrl(partner: Partner, type: string): string | undefined {
  const base = partnerEndpoint(partner, 'commands', 'RECEIVER');
  return base ? `${base.replace(/\/+$/, '')}/${type}` : undefined;
}

export async function sendCommand(services: Services, partner: Partner, command: CommandRecord): Promise<SendOutcome> {
  const url = commandsUrl(partner, command.type);
  if (!url) return { kind: 'REFUSED', result: 'NO_COMMANDS_ENDPOINT', evidence: { error: 'the partner has no commands RECEIVER endpoint' } };
  const objects = partnerObjects(services, services.orm.em.fork(), partner);
  const request = { ...command.request, response_url: responseUrl(services, command, objects.version.version) };
  try {
    const answer = await callPartner<unknown>(services, partner, {
      method: 'POST',
      url,
      body: REQUEST_OBJECTS[command.type] ? objects.render(REQUEST_OBJECTS[command.type]!, request) : request,
      timeoutMs: services.config.commandTimeoutSeconds * 1000,
      correlationId: command.orderId ?? command.id,
    });
    const evidence = { url, http_status: answer.httpStatus, status_code: answer.statusCode, data: answer.data };
    const checked = await objects.check<CommandResponse>('CommandResponse', answer.data);
    if (!checked.ok) return { kind: 'UNKNOWN', reason: `CommandResponse unreadable: ${checked.problems.join('; ')}`, evidence };
    const response = checked.value;
    if (response.result === 'ACCEPTED') return { kind: 'ACCEPTED', response, evidence };
    return { kind: 'REFUSED', result: response.result, evidence };
  } catch (err) {
    // The hub refused to call (the partner is no longer ACTIVE): nothing was sent.
    if (err instanceof HubError) return { kind: 'REFUSED', result: 'PARTNER_UNAVAILABLE', evidence: { url, error: err.message } };
    if (!(err instanceof OcpiCallError)) throw err;
    const evidence = { url, failure: err.failure, error: err.message, http_status: err.httpStatus ?? null, status_code: err.statusCode ?? null };
    if (err.httpStatus === 429 || err.httpStatus === 503) {
      const retryAfterSeconds = retryAfterSecondsOf(err.retryAfter, services.clock.now());
      return { kind: 'THROTTLED', retryAfterSeconds, evidence: { ...evidence, retry_after: err.retryAfter ?? null } };
    }
    // A client error (HTTP 4xx, or OCPI 2xxx such as 2003 unknown location) means the CPO did not take the command.
    const clientError = (err.httpStatus !== undefined && err.httpStatus >= 400 && err.httpStatus < 500) || (err.statusCode !== undefined && err.statusCode >= 2000 && err.statusCode < 3000);
    if (clientError) return { kind: 'REFUSED', result: 'REFUSED', evidence };
    return { kind: 'UNKNOWN', reason: err.message, evidence };
  }
}

/** Retry-After as whole seconds from `now`: delta-seconds or an HTTP date; absent or unreadable → 1. */
function retryAfterSecondsOf(header: string | undefined, now: Date): number {
  const value = header?.trim();
  if (!value) return 1;
  if (/^\d{1,9}$/.test(value)) return Math.max(Number(value), 0);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return 1;
  return Math.max(Math.ceil((at - now.getTime()) / 1000), 0);
}
