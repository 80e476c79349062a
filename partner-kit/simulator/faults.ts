/**
 * The ways this CPO misbehaves, per run or per EVSE (an EVSE's own mode wins over the run's).
 *
 * - happy: behaves.
 * - reject: CommandResponse REJECTED.
 * - slow: a command is answered only after --slow-seconds (past the hub's command timeout), then handled as usual.
 * - lost-result: ACCEPTED and the work done, but the CommandResult is never posted.
 * - random-500: a seeded third of its module answers are HTTP 500.
 * - rate-limit: every module answer is HTTP 429 with Retry-After.
 * - truncated: module answers are cut-off JSON (HTTP 200).
 * - html: module answers are an HTML error page (HTTP 502).
 * - silent: no EVSE status pushes and no periodic session PATCHes (the session's PUT, its
 *   COMPLETED and the CDR still go: a CPO whose status feed died, not one that lost its sessions).
 * - wrong-cost: the CDR bills WRONG_COST_PERCENT more than its own tariff.
 * - no-reference: sessions and CDRs carry no authorization_reference.
 *
 * Transport faults (random-500, rate-limit, truncated, html) spoil the answers of its module
 * endpoints, never versions or credentials, so it can still register; per EVSE they apply to
 * commands about that EVSE.
 */
export const FAULT_MODES = ['happy', 'reject', 'slow', 'lost-result', 'random-500', 'rate-limit', 'truncated', 'html', 'silent', 'wrong-cost', 'no-reference'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

/** wrong-cost bills this much more than the tariff says, in per cent. */
export const WRONG_COST_PERCENT = 12;
/** rate-limit tells the hub to come back after this many seconds (inside the hub's default 15 s command window). */
export const RETRY_AFTER_SECONDS = 3;

export interface Faults {
  /** The mode that applies to an EVSE (its own, else the run's); without an EVSE, the run's. */
  modeFor(evseUid?: string): FaultMode;
  set(mode: FaultMode, evseUid?: string): void;
  /** random-500: whether this answer fails (a seeded third of them). */
  fails(): boolean;
}

export function createFaults(run: FaultMode, perEvse: Record<string, FaultMode>, random: () => number): Faults {
  let runMode = run;
  const evses = new Map(Object.entries(perEvse));
  return {
    modeFor: (evseUid) => (evseUid !== undefined ? evses.get(evseUid) : undefined) ?? runMode,
    set(mode, evseUid) {
      if (evseUid === undefined) runMode = mode;
      else evses.set(evseUid, mode);
    },
    fails: () => random() < 1 / 3,
  };
}

/** A small seeded generator (mulberry32): the same seed gives the same world and the same failures. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
