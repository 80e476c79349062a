import type { Services } from '../services.ts';
import type { Job } from '../jobs/scheduler.ts';
import { raiseAlert } from '../observability/alerts.ts';
import { PartnerEntity, type Partner } from './entities.ts';
import { decryptToken } from './tokens.ts';
import { endpointUrl } from './discovery.ts';
import { eachLimited } from './sync.ts';

/**
 * The heartbeat: every PARTNER_HEARTBEAT_SECONDS the hub GETs each active partner's versions
 * endpoint with the partner's token (through the OCPI client, in the partner's token encoding)
 * and keeps when it last answered, how many beats in a row it missed and how long it took.
 * PARTNER_HEARTBEAT_MISSES misses in a row make every EVSE of the partner UNKNOWN (an alert
 * each way). For a CPO without a Locations sender, a good beat also vouches for its statuses
 * (it pushes on change, and the link is up), unless the link was down before it.
 */
export type FreshnessMode = 'PULL' | 'PUSH_AND_HEARTBEAT';

export function freshnessMode(partner: Partner): FreshnessMode {
  return endpointUrl(partner.endpoints, 'locations', 'SENDER') ? 'PULL' : 'PUSH_AND_HEARTBEAT';
}

async function beat(services: Services, partnerId: string): Promise<void> {
  const em = services.orm.em.fork();
  const partner = await em.findOne(PartnerEntity, { id: partnerId });
  if (!partner || partner.status !== 'ACTIVE' || !partner.versionsUrl || !partner.outboundTokenSealed) return;
  const now = services.clock.now();
  const misses = services.config.partnerHeartbeatMisses;
  const previousOk = partner.heartbeatOkAt ?? partner.registeredAt ?? now;
  const wasDown = partner.missedHeartbeats >= misses;
  const started = performance.now();
  let error: string | undefined;
  try {
    const answer = await services.client.call({
      method: 'GET',
      url: partner.versionsUrl,
      token: decryptToken(partner.outboundTokenSealed, services.secrets.encryptionKey),
      encoding: partner.tokenEncoding,
    });
    if (!Array.isArray(answer.data)) error = `GET ${partner.versionsUrl}: data is not a list of versions`;
  } catch (err) {
    error = (err as Error).message;
  }
  partner.heartbeatAt = now;
  partner.heartbeatLatencyMs = Math.round(performance.now() - started);
  const deps = { log: services.log, metrics: services.metrics, now };
  if (error === undefined) {
    if (partner.role === 'CPO' && !wasDown && freshnessMode(partner) === 'PUSH_AND_HEARTBEAT') for (const module of services.modules) await module.heartbeatAnswered?.(services, partner.id, previousOk, now);
    if (wasDown && !partner.sandbox) raiseAlert(em, deps, { kind: 'PARTNER_REACHABLE', partnerId: partner.id, detail: { missed: partner.missedHeartbeats, last_seen_at: partner.heartbeatOkAt ?? null } });
    partner.missedHeartbeats = 0;
    partner.heartbeatOkAt = now;
    partner.heartbeatError = null;
  } else {
    partner.missedHeartbeats += 1;
    partner.heartbeatError = error;
    // A sandbox partner going away is its own business: counted, never an alert.
    if (partner.missedHeartbeats === misses && !partner.sandbox) raiseAlert(em, deps, { kind: 'PARTNER_UNREACHABLE', partnerId: partner.id, detail: { missed: misses, last_seen_at: partner.heartbeatOkAt ?? null, error } });
  }
  await em.flush();
}

/** Every 10 s: each active partner whose last beat is PARTNER_HEARTBEAT_SECONDS old (or that has none) gets one. */
export const heartbeatJob: Job = {
  name: 'partner-heartbeat',
  schedule: () => '*/10 * * * * *',
  async run(services) {
    const now = services.clock.now().getTime();
    const interval = services.config.partnerHeartbeatSeconds * 1000;
    const partners = await services.orm.em.fork().find(PartnerEntity, { status: 'ACTIVE', versionsUrl: { $ne: null } });
    const due = partners.filter((p) => !p.heartbeatAt || now - p.heartbeatAt.getTime() >= interval);
    await eachLimited(due, 8, async (p) => {
      try {
        await beat(services, p.id);
      } catch (err) {
        services.log.error({ partnerId: p.id, err }, 'heartbeat failed');
      }
    });
  },
};
