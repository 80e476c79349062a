import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { resolveSecrets } from '../../src/secrets.ts';

describe('configuration', () => {
  it('has a default for every setting', () => {
    const config = loadConfig({}, '/srv/hub');
    expect(config).to.deep.include({
      port: 8080,
      publicUrl: 'http://localhost:8080',
      databaseUrl: undefined,
      dataDir: '/srv/hub/data',
      hubCountryCode: 'NL',
      hubPartyId: 'HUB',
      hubName: 'ocpi-hub',
      authLockoutFailures: 5,
      authLockoutMinutes: 15,
      tokenAValidityDays: 7,
      logLevel: 'info',
    });
    expect(config.requiredEndpointsCpo).to.deep.equal([
      { identifier: 'locations', role: 'SENDER' },
      { identifier: 'sessions', role: 'SENDER' },
      { identifier: 'cdrs', role: 'SENDER' },
      { identifier: 'commands', role: 'RECEIVER' },
    ]);
  });

  it('stops on an invalid value with a message naming the variable', () => {
    const cases: [Record<string, string>, string][] = [
      [{ PORT: 'eighty' }, 'PORT: expected a whole number, got "eighty"'],
      [{ PORT: '70000' }, 'PORT: must be between 0 and 65535, got 70000'],
      [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL: not a valid URL: "not a url"'],
      [{ DATABASE_URL: 'mysql://x/y' }, 'DATABASE_URL: unsupported scheme mysql:'],
      [{ HUB_COUNTRY_CODE: 'nl' }, 'HUB_COUNTRY_CODE: expected two capital letters (ISO 3166-1 alpha-2), got "nl"'],
      [{ HUB_PARTY_ID: 'HUBS' }, 'HUB_PARTY_ID: expected three capital letters or digits, got "HUBS"'],
      [{ AUTH_LOCKOUT_FAILURES: '0' }, 'AUTH_LOCKOUT_FAILURES: must be between 1 and 1000, got 0'],
      [{ ADMIN_API_KEY: 'short' }, 'ADMIN_API_KEY: must be at least 24 characters'],
      [{ TOKEN_ENCRYPTION_KEY: 'abcd' }, 'TOKEN_ENCRYPTION_KEY: must be 32 bytes, base64-encoded'],
      [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL: expected one of fatal|error|warn|info|debug|trace|silent, got "loud"'],
      [{ REQUIRED_ENDPOINTS_CPO: 'locations:SEND' }, 'REQUIRED_ENDPOINTS_CPO: "locations:SEND" is not module or module:SENDER|RECEIVER'],
    ];
    for (const [env, message] of cases) {
      expect(() => loadConfig(env), JSON.stringify(env)).to.throw(ConfigError, message);
    }
  });

  it('generates missing API keys once, keeps them in the data directory and announces them only that time', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpi-hub-secrets-'));
    try {
      const config = loadConfig({ OCPI_HUB_DATA_DIR: dir, APP_API_KEY: 'app-key-from-the-environment-0001' });
      const announced: string[][] = [];
      const first = resolveSecrets(config, (lines) => announced.push(lines));
      expect(first.appApiKey).to.equal('app-key-from-the-environment-0001');
      expect(first.adminApiKey).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(first.encryptionKey).to.have.length(32);
      expect(announced).to.have.length(1);
      expect(announced[0]!.slice(1)).to.deep.equal([`ADMIN_API_KEY=${first.adminApiKey}`, `FINANCE_API_KEY=${first.financeApiKey}`]);
      expect(fs.statSync(path.join(dir, 'secrets.json')).mode & 0o777).to.equal(0o600);

      const second = resolveSecrets(config, (lines) => announced.push(lines));
      expect(announced).to.have.length(1);
      expect(second.adminApiKey).to.equal(first.adminApiKey);
      expect(second.encryptionKey.equals(first.encryptionKey)).to.equal(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
