import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

export interface CapturedMail {
  raw: Buffer;
  mailFrom: string | null;
  rcptTo: string[];
}

/** What the relay answers to the next DATA: a 250 text (e.g. `Ok: queued as X`) or an SMTP error. */
export type RelayAnswer = { ok: string } | { code: number; text: string };

/**
 * A real SMTP server standing in for the outbound relay: it records every mail it accepts and
 * answers DATA from a script (`plan`), then with `defaultAnswer`. No TLS, no auth.
 */
export class CaptureRelay {
  readonly accepted: CapturedMail[] = [];
  /** Every DATA received, accepted or refused. */
  dataCount = 0;
  readonly plan: RelayAnswer[] = [];
  defaultAnswer: RelayAnswer = { ok: 'Ok: queued as ABC123' };
  private server: SMTPServer | null = null;
  port = 0;

  /** `keep: false` counts accepted mail (`dataCount`) without keeping it: a sink for benchmarks. */
  constructor(private readonly options: { keep?: boolean } = {}) {}

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          this.dataCount++;
          const answer = this.plan.shift() ?? this.defaultAnswer;
          if ('code' in answer) {
            const err = new Error(answer.text) as Error & { responseCode: number };
            err.responseCode = answer.code;
            return callback(err);
          }
          if (this.options.keep !== false) this.accepted.push({
            raw: Buffer.concat(chunks),
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
          });
          callback(null, answer.ok);
        });
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  reset(): void {
    this.accepted.length = 0;
    this.plan.length = 0;
    this.dataCount = 0;
    this.defaultAnswer = { ok: 'Ok: queued as ABC123' };
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
