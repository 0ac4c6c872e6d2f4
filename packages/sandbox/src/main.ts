#!/usr/bin/env node
// Runs the provider sandbox standalone: node packages/sandbox/dist/main.js --port 4010
//   [--x-webhook http://localhost:3000/webhooks/x/<inbox>] [--meta-webhook http://localhost:3000/webhooks/meta]
// Secrets come from SANDBOX_X_CONSUMER_SECRET and SANDBOX_META_APP_SECRET (defaults for local use).
import { startSandbox } from './sandbox';

function arg(name: string): string | undefined {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

async function main(): Promise<void> {
  const port = Number(arg('port') ?? process.env.SANDBOX_PORT ?? 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${String(arg('port'))}`);
  const sandbox = await startSandbox({
    port,
    host: arg('host') ?? '127.0.0.1',
    deskWebhookUrls: { x: arg('x-webhook'), meta: arg('meta-webhook') },
    xConsumerSecret: process.env.SANDBOX_X_CONSUMER_SECRET ?? 'sandbox-x-consumer-secret',
    metaAppSecret: process.env.SANDBOX_META_APP_SECRET ?? 'sandbox-meta-app-secret',
    // every call the desk makes (replies, DMs, lookups) is printed as it arrives
    onRecord: (c) => process.stdout.write(`${c.at.toISOString()} ${c.method} ${c.path} → ${c.status}${c.body ? ` ${JSON.stringify(c.body)}` : ''}\n`),
  });
  process.stdout.write(`provider sandbox listening on ${sandbox.url}\n`);
  process.stdout.write(`  X API:     ${sandbox.url}  (xClient baseUrl)\n  Graph API: ${sandbox.url}/v21.0  (graphClient baseUrl)\n`);
  process.stdout.write(`  recorded calls: printed below, and as JSON at ${sandbox.url}/_sandbox/calls\n`);
  const shutdown = (): void => {
    sandbox.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
