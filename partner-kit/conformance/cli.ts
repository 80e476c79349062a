/** `ocpi-hub conformance`: not built yet. */
export async function run(args: string[]): Promise<number> {
  process.stderr.write(`conformance is not available yet (${args.join(' ')})\n`);
  return 2;
}
