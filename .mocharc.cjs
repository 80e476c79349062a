// Mocha merges positional files with `spec`, so `npx mocha test/x.test.ts` would run the whole
// suite: take the full suite only when no test file is named on the command line.
const named = process.argv.slice(2).some((arg) => /\.test\.ts$/.test(arg));
module.exports = {
  'node-option': ['import=tsx'],
  ...(named ? {} : { spec: ['test/**/*.test.ts'] }),
  require: ['test/setup/database.ts'],
  timeout: 20000,
  exit: true,
};
