import { HubError } from '../../errors.ts';
import type { VersionAdapter } from './adapter.ts';
import { v2_2_1 } from './v2.2.1.ts';
import { v2_2 } from './v2.2.ts';

export type { AcceptContext, Checked, Deviation, TokenParty, VersionAdapter } from './adapter.ts';
export type { ObjectType } from './objects.ts';

/**
 * The versions the hub speaks, best first: what /ocpi/versions lists and what the handshake
 * negotiates. A later version (2.3.0) or an older one (2.1.1) is one more adapter here.
 */
export const VERSIONS: VersionAdapter[] = [v2_2_1, v2_2];

export const SUPPORTED_VERSIONS = VERSIONS.map((v) => v.version);

export const CANONICAL = v2_2_1;

export function versionAdapter(version: string | null | undefined): VersionAdapter {
  const adapter = VERSIONS.find((v) => v.version === version);
  if (!adapter) throw new HubError('UNSUPPORTED_VERSION', `OCPI version ${String(version)} is not one the hub speaks (${SUPPORTED_VERSIONS.join(', ')})`);
  return adapter;
}
