import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from './config.ts';

/** Keys the hub needs before it can serve: the three API keys and the key that encrypts partner tokens at rest. */
export interface Secrets {
  adminApiKey: string;
  appApiKey: string;
  financeApiKey: string;
  encryptionKey: Buffer;
}

interface StoredSecrets {
  adminApiKey?: string;
  appApiKey?: string;
  financeApiKey?: string;
  tokenEncryptionKey?: string;
}

const FILE = 'secrets.json';

/**
 * Keys not given in the environment are generated once, kept in the data directory
 * (mode 0600) and reported through `announce` that one time only, so a newcomer can
 * start with no configuration and still never finds a key in a later log.
 */
export function resolveSecrets(config: Config, announce: (lines: string[]) => void): Secrets {
  const file = path.join(config.dataDir, FILE);
  let stored: StoredSecrets = {};
  if (fs.existsSync(file)) stored = JSON.parse(fs.readFileSync(file, 'utf8')) as StoredSecrets;
  const generated: string[] = [];
  const pick = (fromEnv: string | undefined, key: keyof StoredSecrets, label: string, make: () => string) => {
    if (fromEnv) return fromEnv;
    const existing = stored[key];
    if (existing) return existing;
    const value = make();
    stored[key] = value;
    generated.push(`${label}=${value}`);
    return value;
  };
  const apiKey = () => randomBytes(32).toString('base64url');
  const secrets: Secrets = {
    adminApiKey: pick(config.adminApiKey, 'adminApiKey', 'ADMIN_API_KEY', apiKey),
    appApiKey: pick(config.appApiKey, 'appApiKey', 'APP_API_KEY', apiKey),
    financeApiKey: pick(config.financeApiKey, 'financeApiKey', 'FINANCE_API_KEY', apiKey),
    encryptionKey: Buffer.from(
      pick(config.tokenEncryptionKey, 'tokenEncryptionKey', 'TOKEN_ENCRYPTION_KEY', () => randomBytes(32).toString('base64')),
      'base64',
    ),
  };
  if (generated.length > 0) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
    announce([
      `Generated and stored in ${file} (shown only this once; set them in the environment to override):`,
      ...generated.filter((line) => !line.startsWith('TOKEN_ENCRYPTION_KEY')),
    ]);
  }
  return secrets;
}
