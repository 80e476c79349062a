import { expect } from 'chai';
import { withValuesJoined } from '../../src/command-line.ts';
import { parseSimulatorArgs } from '../../partner-kit/simulator/options.ts';

describe('command line: values that start with a dash', () => {
  const flags = { token: { type: 'string' }, junit: { type: 'string' }, help: { type: 'boolean' } } as const;

  it('joins each string flag with the word after it, whatever that word starts with', () => {
    expect(withValuesJoined(['--token', '-Zx9_base64url', '--help', '--junit', 'out.xml', 'rest'], flags)).to.deep.equal(['--token=-Zx9_base64url', '--help', '--junit=out.xml', 'rest']);
  });

  it('leaves --flag=value, unknown flags, booleans and a flag with nothing after it as they are', () => {
    expect(withValuesJoined(['--token=-a', '--other', '-x', '--help', '--token'], flags)).to.deep.equal(['--token=-a', '--other', '-x', '--help', '--token']);
  });

  it('a token A starting with a dash (one base64url token in 64) is taken as the token', () => {
    const options = parseSimulatorArgs(['--hub-versions-url', 'http://hub.example/ocpi/versions', '--token-a', '-Ab3_cD'], {});
    expect(options).to.include({ tokenA: '-Ab3_cD' });
  });
});
