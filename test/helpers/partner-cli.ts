import { execFile } from 'node:child_process';
import os from 'node:os';
import { withDatabase } from '../../src/hub.ts';
import type { TestHub } from './hub.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node bin/ocpi-hub.js partner …` as an operator runs it next to the running test hub: its database, data directory and keys. */
export function partnerCli(t: TestHub, args: string[]): Promise<CliRun> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.tmpdir(),
    DATABASE_URL: withDatabase(process.env.OCPI_TEST_PG_URL!, t.databaseName),
    OCPI_HUB_DATA_DIR: t.env.OCPI_HUB_DATA_DIR!,
    TOKEN_ENCRYPTION_KEY: t.env.TOKEN_ENCRYPTION_KEY!,
    ADMIN_API_KEY: t.env.ADMIN_API_KEY!,
    APP_API_KEY: t.env.APP_API_KEY!,
    FINANCE_API_KEY: t.env.FINANCE_API_KEY!,
    PUBLIC_URL: t.env.PUBLIC_URL!,
    LOG_LEVEL: 'silent',
  };
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/ocpi-hub.js', 'partner', ...args], { env }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
