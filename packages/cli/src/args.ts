/** `--email a@b --password x` → { email: 'a@b', password: 'x' }; a bare `--flag` is 'true'. */
export function parseFlags(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument: ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) {
      out[a.slice(2, eq)] = a.slice(eq + 1);
    } else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) {
      out[a.slice(2)] = argv[++i]!;
    } else {
      out[a.slice(2)] = 'true';
    }
  }
  return out;
}
