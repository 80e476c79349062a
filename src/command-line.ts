/**
 * Joins each `--flag value` pair of a string option into `--flag=value` before node's parseArgs
 * sees it. parseArgs refuses a value that starts with a dash as "ambiguous", and one base64url
 * token in 64 does (token A, a partner's token): the flag names a value, so the next word is it.
 */
export function withValuesJoined(args: string[], options: Record<string, { type: 'string' | 'boolean' }>): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && i + 1 < args.length) {
      joined.push(`${arg}=${args[++i]}`);
    } else {
      joined.push(arg);
    }
  }
  return joined;
}
