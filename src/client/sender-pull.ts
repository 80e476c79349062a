import { HubError } from '../errors.ts';
import type { Services } from '../services.ts';
import type { Partner } from '../partners/api.ts';
import type { SyncResult } from '../ocpi/module.ts';
import { formatDateTime } from '../ocpi/datetime.ts';
import { partnerEndpoint, pullAll } from './partner-client.ts';

export type PullCheck<T> = { object: T } | { refused: string };

export interface SenderPull<T> {
  /** The module identifier of the partner's Sender endpoint, e.g. `cdrs`. */
  module: string;
  /** Sent as date_from and date_to, each when given. */
  window: { from?: Date; to?: Date };
  /** How the sync report names an object; the default is for one that comes without a string id. */
  idOf?: (item: unknown) => string;
  /** The object to apply, or why it is refused. What it throws fails the whole pull. */
  check: (item: unknown, id: string) => Promise<PullCheck<T>>;
  /** Applies a checked object; false when the hub kept what it holds (older, or the same). */
  apply: (object: T) => Promise<boolean>;
  /** Which errors of `apply` refuse only that object; any other fails the pull. Defaults to HubError, the hub's own rules. */
  refuses?: (err: unknown) => boolean;
}

const stringId = (item: unknown): string => {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : '(no id)';
};

/**
 * Pulls a partner's Sender list in the window, page by page, and checks and applies each object
 * as it comes, counting into `result`: one bad object is refused and listed, the pull goes on;
 * only the partner's API, or a check, failing fails the pull. False when the partner has no
 * such Sender (each module says what that means for it).
 */
export async function pullSender<T>(services: Services, partner: Partner, pull: SenderPull<T>, result: SyncResult): Promise<boolean> {
  const base = partnerEndpoint(partner, pull.module, 'SENDER');
  if (!base) return false;
  const first = new URL(base);
  if (pull.window.from) first.searchParams.set('date_from', formatDateTime(pull.window.from));
  if (pull.window.to) first.searchParams.set('date_to', formatDateTime(pull.window.to));
  const idOf = pull.idOf ?? stringId;
  const refuses = pull.refuses ?? ((err: unknown) => err instanceof HubError);
  await pullAll(services, partner, first.toString(), async (items) => {
    for (const item of items) {
      result.received++;
      const id = idOf(item);
      const checked = await pull.check(item, id);
      if ('refused' in checked) {
        result.rejected.push({ id, problems: checked.refused });
        continue;
      }
      try {
        if (await pull.apply(checked.object)) result.applied++;
      } catch (err) {
        if (!refuses(err)) throw err;
        result.rejected.push({ id, problems: (err as Error).message });
      }
    }
  });
  return true;
}
