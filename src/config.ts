import path from 'node:path';
import cron from 'node-cron';

/**
 * Every setting of the hub. Each one is an environment variable with a default;
 * the README's configuration table lists them in the same order.
 */
export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPgPort: number;
  adminApiKey: string | undefined;
  appApiKey: string | undefined;
  financeApiKey: string | undefined;
  tokenEncryptionKey: string | undefined;
  hubCountryCode: string;
  hubPartyId: string;
  hubName: string;
  hubWebsite: string | undefined;
  authLockoutFailures: number;
  authLockoutMinutes: number;
  tokenAValidityDays: number;
  outboundTimeoutSeconds: number;
  allowPrivatePartnerUrls: boolean;
  outboundMaxResponseBytes: number;
  bodyLimitBytes: number;
  paginationMaxLimit: number;
  requiredEndpointsCpo: RequiredEndpoint[];
  requiredEndpointsEmsp: RequiredEndpoint[];
  freshnessThresholdSeconds: number;
  /** How far ahead of the hub's clock a partner's last_updated may be. */
  maxClockSkewSeconds: number;
  partnerStaleRatio: number;
  freshnessCron: string;
  locationDeltaSyncSeconds: number;
  locationFullSyncHours: number;
  partnerHeartbeatSeconds: number;
  partnerHeartbeatMisses: number;
  commandTimeoutSeconds: number;
  commandQueryDelaysSeconds: number[];
  commandResultMaxWaitSeconds: number;
  /** How long the app's start and stop wait for the CPO's answer before answering 202 with the order as it is (the send goes on). */
  appCommandAnswerMs: number;
  chargingFollowUpCron: string;
  settlementTolerance: string;
  sessionSilenceMinutes: number;
  sessionMaxHours: number;
  cdrWaitHours: number;
  watchdogCron: string;
  reconciliationCron: string;
  trustProxy: boolean;
  jobsEnabled: boolean;
  logLevel: string;
  /** `serve --sandbox` (or SANDBOX_ONLY=true): every partner created is a sandbox partner. */
  sandboxOnly: boolean;
}

export interface RequiredEndpoint {
  identifier: string;
  role?: 'SENDER' | 'RECEIVER';
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function pattern(env: Env, name: string, fallback: string, re: RegExp, what: string): string {
  const value = read(env, name) ?? fallback;
  if (!re.test(value)) throw new ConfigError(name, `expected ${what}, got "${value}"`);
  return value;
}

function url(env: Env, name: string, fallback: string | undefined): string | undefined {
  const value = read(env, name) ?? fallback;
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, `not a valid URL: "${value}"`);
  }
  if (!/^(https?|postgres(ql)?):$/.test(parsed.protocol)) throw new ConfigError(name, `unsupported scheme ${parsed.protocol}`);
  return value.replace(/\/+$/, '');
}

function secret(env: Env, name: string): string | undefined {
  const value = read(env, name);
  if (value !== undefined && value.length < 24) throw new ConfigError(name, 'must be at least 24 characters');
  return value;
}

const MODULE_ROLE = /^[a-z][a-z0-9-]*(:(SENDER|RECEIVER))?$/;

function endpoints(env: Env, name: string, fallback: string): RequiredEndpoint[] {
  const raw = read(env, name) ?? fallback;
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      if (!MODULE_ROLE.test(item)) throw new ConfigError(name, `"${item}" is not module or module:SENDER|RECEIVER`);
      const [identifier, role] = item.split(':') as [string, 'SENDER' | 'RECEIVER' | undefined];
      return role ? { identifier, role } : { identifier };
    });
}

/** Seconds after a moment, strictly increasing: `5,15,30`. */
function delays(env: Env, name: string, fallback: string): number[] {
  const raw = read(env, name) ?? fallback;
  const values = raw.split(',').map((item) => item.trim());
  if (!values.every((v) => /^\d{1,5}$/.test(v))) throw new ConfigError(name, `expected seconds separated by commas, e.g. 5,15,30; got "${raw}"`);
  const seconds = values.map(Number);
  if (seconds.some((v, i) => v < 1 || (i > 0 && v <= seconds[i - 1]!))) throw new ConfigError(name, `delays must be at least 1 and strictly increasing, got "${raw}"`);
  return seconds;
}

/** A non-negative decimal amount, kept as text (money is never a float here). */
function amount(env: Env, name: string, fallback: string): string {
  const raw = read(env, name) ?? fallback;
  if (!/^\d{1,6}(\.\d{1,4})?$/.test(raw)) throw new ConfigError(name, `expected an amount such as 0.01, got "${raw}"`);
  return raw;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (/^(1|true|yes)$/i.test(raw)) return true;
  if (/^(0|false|no)$/i.test(raw)) return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
}

function ratio(env: Env, name: string, fallback: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw) || value < 0 || value > 1) throw new ConfigError(name, `expected a number from 0 to 1, got "${raw}"`);
  return value;
}

function cronExpression(env: Env, name: string, fallback: string): string {
  const value = read(env, name) ?? fallback;
  if (!cron.validate(value)) throw new ConfigError(name, `not a valid cron expression: "${value}"`);
  return value;
}

const LOG_LEVELS = /^(fatal|error|warn|info|debug|trace|silent)$/;

export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const port = integer(env, 'PORT', 8080, 0, 65535);
  const publicUrl = url(env, 'PUBLIC_URL', `http://localhost:${port}`)!;
  if (!/^https?:/.test(publicUrl)) throw new ConfigError('PUBLIC_URL', 'must be an http(s) URL');
  const databaseUrl = url(env, 'DATABASE_URL', undefined);
  if (databaseUrl && !/^postgres(ql)?:/.test(databaseUrl)) throw new ConfigError('DATABASE_URL', 'must be a postgres:// URL');
  const tokenEncryptionKey = read(env, 'TOKEN_ENCRYPTION_KEY');
  if (tokenEncryptionKey !== undefined && Buffer.from(tokenEncryptionKey, 'base64').length !== 32) {
    throw new ConfigError('TOKEN_ENCRYPTION_KEY', 'must be 32 bytes, base64-encoded');
  }
  return {
    port,
    host: read(env, 'HOST') ?? '0.0.0.0',
    publicUrl,
    databaseUrl,
    dataDir: path.resolve(cwd, read(env, 'OCPI_HUB_DATA_DIR') ?? 'data'),
    embeddedPgPort: integer(env, 'EMBEDDED_PG_PORT', 54329, 1, 65535),
    adminApiKey: secret(env, 'ADMIN_API_KEY'),
    appApiKey: secret(env, 'APP_API_KEY'),
    financeApiKey: secret(env, 'FINANCE_API_KEY'),
    tokenEncryptionKey,
    hubCountryCode: pattern(env, 'HUB_COUNTRY_CODE', 'NL', /^[A-Z]{2}$/, 'two capital letters (ISO 3166-1 alpha-2)'),
    hubPartyId: pattern(env, 'HUB_PARTY_ID', 'HUB', /^[A-Z0-9]{3}$/, 'three capital letters or digits'),
    hubName: pattern(env, 'HUB_NAME', 'ocpi-hub', /^.{1,100}$/, '1 to 100 characters'),
    hubWebsite: url(env, 'HUB_WEBSITE', undefined),
    authLockoutFailures: integer(env, 'AUTH_LOCKOUT_FAILURES', 5, 1, 1000),
    authLockoutMinutes: integer(env, 'AUTH_LOCKOUT_MINUTES', 15, 1, 10080),
    tokenAValidityDays: integer(env, 'TOKEN_A_VALIDITY_DAYS', 7, 1, 90),
    outboundTimeoutSeconds: integer(env, 'OUTBOUND_TIMEOUT_SECONDS', 15, 1, 300),
    allowPrivatePartnerUrls: bool(env, 'ALLOW_PRIVATE_PARTNER_URLS', false),
    outboundMaxResponseBytes: integer(env, 'OUTBOUND_MAX_RESPONSE_BYTES', 10_485_760, 1024, 1_073_741_824),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
    paginationMaxLimit: integer(env, 'PAGINATION_MAX_LIMIT', 100, 1, 10_000),
    requiredEndpointsCpo: endpoints(env, 'REQUIRED_ENDPOINTS_CPO', 'locations:SENDER,sessions:SENDER,cdrs:SENDER,commands:RECEIVER'),
    requiredEndpointsEmsp: endpoints(env, 'REQUIRED_ENDPOINTS_EMSP', 'tokens:SENDER'),
    freshnessThresholdSeconds: integer(env, 'FRESHNESS_THRESHOLD_SECONDS', 600, 1, 604_800),
    maxClockSkewSeconds: integer(env, 'MAX_CLOCK_SKEW_SECONDS', 300, 0, 86_400),
    partnerStaleRatio: ratio(env, 'PARTNER_STALE_RATIO', 0.5),
    freshnessCron: cronExpression(env, 'FRESHNESS_CRON', '* * * * *'),
    locationDeltaSyncSeconds: integer(env, 'LOCATION_DELTA_SYNC_SECONDS', 300, 10, 86_400),
    locationFullSyncHours: integer(env, 'LOCATION_FULL_SYNC_HOURS', 24, 1, 720),
    partnerHeartbeatSeconds: integer(env, 'PARTNER_HEARTBEAT_SECONDS', 300, 10, 86_400),
    partnerHeartbeatMisses: integer(env, 'PARTNER_HEARTBEAT_MISSES', 3, 1, 100),
    commandTimeoutSeconds: integer(env, 'COMMAND_TIMEOUT_SECONDS', 15, 1, 120),
    commandQueryDelaysSeconds: delays(env, 'COMMAND_QUERY_DELAYS_SECONDS', '5,15,30'),
    commandResultMaxWaitSeconds: integer(env, 'COMMAND_RESULT_MAX_WAIT_SECONDS', 300, 1, 3600),
    appCommandAnswerMs: integer(env, 'APP_COMMAND_ANSWER_MS', 1500, 0, 1900),
    chargingFollowUpCron: cronExpression(env, 'CHARGING_FOLLOW_UP_CRON', '* * * * * *'),
    settlementTolerance: amount(env, 'SETTLEMENT_TOLERANCE', '0.01'),
    sessionSilenceMinutes: integer(env, 'SESSION_SILENCE_MINUTES', 30, 1, 10_080),
    sessionMaxHours: integer(env, 'SESSION_MAX_HOURS', 24, 1, 720),
    cdrWaitHours: integer(env, 'CDR_WAIT_HOURS', 24, 1, 2_160),
    watchdogCron: cronExpression(env, 'WATCHDOG_CRON', '*/5 * * * *'),
    reconciliationCron: cronExpression(env, 'RECONCILIATION_CRON', '30 2 * * *'),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    jobsEnabled: bool(env, 'JOBS_ENABLED', true),
    logLevel: pattern(env, 'LOG_LEVEL', 'info', LOG_LEVELS, 'one of fatal|error|warn|info|debug|trace|silent'),
    sandboxOnly: bool(env, 'SANDBOX_ONLY', false),
  };
}
