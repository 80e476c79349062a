import { spawn } from 'node:child_process';

/** `node bin/ocpi-hub.js conformance …` as a partner's CI runs it: its output and exit code. */
export function conformance(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/ocpi-hub.js', 'conformance', ...args], { cwd: process.cwd(), env: { ...process.env, LOG_LEVEL: 'silent' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export const testcases = (xml: string) => xml.match(/<testcase /g)?.length ?? 0;
