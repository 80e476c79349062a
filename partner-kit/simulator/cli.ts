/** `ocpi-hub simulate-cpo`: not built yet. */
export async function run(args: string[]): Promise<number> {
  process.stderr.write(`simulate-cpo is not available yet (${args.join(' ')})\n`);
  return 2;
}
