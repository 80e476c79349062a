const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

// Mocha merges positional files with `spec`, so `npx mocha test/x.test.ts` would run the whole
// suite: take the full suite only when no test file is named on the command line. A file
// named alone runs in this process (readable output, a debugger attaches); the suite runs on
// every core, each file in a worker of its own.
const named = process.argv.slice(2).some((arg) => /\.test\.ts$/.test(arg));

// Files that take ten seconds or more start first, so no worker is left with one at the end.
const LONG = ['hardening/generated-input', 'src/cli', 'partner-kit/simulator-cli', 'ocpi-modules/locations/link', 'partner-kit/conformance-cli', 'src/embedded-postgres', 'partner-kit/demo', 'partner-kit/simulator-faults'];

function suite() {
  const all = fs
    .readdirSync('test', { recursive: true })
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => path.join('test', file))
    .sort();
  const rank = (file) => {
    const i = LONG.findIndex((name) => file === `test/${name}.test.ts`);
    return i === -1 ? LONG.length : i;
  };
  return all.sort((a, b) => rank(a) - rank(b));
}

module.exports = {
  'node-option': ['import=tsx'],
  ...(named ? {} : { spec: suite(), parallel: true, jobs: Math.min(4, Math.max(2, os.availableParallelism())) }),
  require: ['test/setup/database.ts'],
  timeout: 20000,
  exit: true,
};
