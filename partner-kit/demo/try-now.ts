/** What the demo knows when it prints its block: enough for every line to run as printed. */
export interface TryNow {
  hubUrl: string;
  appKey: string;
  adminKey: string;
  financeKey: string;
  center: { latitude: number; longitude: number };
  locationId: string;
  evseUid: string;
  connectorId: string;
  tokenUid: string;
}

export const BEGIN = '──── what to try now ' + '─'.repeat(50);
export const END = '─'.repeat(71);

/**
 * The "what to try now" block: shell lines a newcomer pastes one by one, from stations near
 * the simulator to the settled CDR. Each line runs as printed (a test runs them); values
 * are single-quoted, and ORDER is read from the start's Location header (no jq needed).
 */
export function tryNowBlock(v: TryNow): string[] {
  const app = `-H "Authorization: Bearer $APP_API_KEY"`;
  const json = `-H 'Content-Type: application/json'`;
  const near = `${v.center.latitude.toFixed(4)},${v.center.longitude.toFixed(4)}`;
  return [
    BEGIN,
    '# the keys of this demo hub (stored in its data directory):',
    `export HUB='${v.hubUrl}' APP_API_KEY='${v.appKey}' ADMIN_API_KEY='${v.adminKey}' FINANCE_API_KEY='${v.financeKey}'`,
    '',
    "# 1. stations near the simulator's coordinates, nearest first:",
    `curl -s ${app} "$HUB/api/v1/locations?near=${near}&radius_m=5000&limit=3"`,
    '# 2. a token for your user:',
    `curl -s -X PUT ${app} ${json} "$HUB/api/v1/tokens/${v.tokenUid}" -d '{"type":"APP_USER","contract_id":"NL-HUB-DEMO00001","issuer":"Demo","valid":true,"whitelist":"ALLOWED"}'`,
    '# 3. start a charge (ORDER is the new order\'s address, from the Location header):',
    `ORDER=$(curl -s -o /dev/null -D - -X POST ${app} ${json} "$HUB/api/v1/charging-sessions" -d '{"location_id":"${v.locationId}","evse_uid":"${v.evseUid}","connector_id":"${v.connectorId}","token_uid":"${v.tokenUid}","token_type":"APP_USER"}' | tr -d '\\r' | sed -n 's/^[Ll]ocation: //p'); echo "$ORDER"`,
    '# 4. a few seconds later the CPO has started it: state ACTIVE, with the session\'s kWh and cost:',
    `curl -s ${app} "$HUB$ORDER"`,
    '# 5. stop it:',
    `curl -s -X POST ${app} "$HUB$ORDER/stop"`,
    '# 6. a few seconds later the CPO has sent its CDR; the hub re-priced and settled it:',
    `curl -s -H "Authorization: Bearer $FINANCE_API_KEY" "$HUB/api/v1/finance/cdrs?limit=5"`,
    '# operators: partners, reviews, open exceptions:',
    `curl -s -H "Authorization: Bearer $ADMIN_API_KEY" "$HUB/api/v1/admin/partners"`,
    END,
  ];
}
