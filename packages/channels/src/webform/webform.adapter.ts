import { QuarantineError, type ChannelAdapter, type ChannelCapabilities, type NormalizedMessage, type ParseContext } from '../adapter';
import { webformIdempotencyKey, webformToNormalized, type FormSubmission } from './form-schema';

/**
 * What the public form endpoint stores as the inbound event's payload (JSON): the submission as
 * validated at the door, its id and when it arrived. Parsing it again in the pipeline keeps the
 * web form on the same road as every other channel.
 */
export interface StoredWebformSubmission {
  submissionId: string;
  receivedAt: string;
  submission: FormSubmission;
}

export function encodeWebformPayload(p: StoredWebformSubmission): Buffer {
  return Buffer.from(JSON.stringify(p), 'utf8');
}

/**
 * The web form adapter. Inbound only: replies to a web-form customer go out by email (the
 * delivery module sends them as email deliveries), so `send` refuses.
 */
export function createWebformAdapter(): ChannelAdapter<Buffer> {
  const capabilities: ChannelCapabilities = { canInitiate: false, attachments: false, html: false, maxAttachmentBytes: null };
  return {
    kind: 'webform',
    capabilities,
    idempotencyKey(raw: Buffer, inboxId: string): string {
      return webformIdempotencyKey(inboxId, decode(raw).submissionId);
    },
    parse(raw: Buffer, ctx: ParseContext): Promise<NormalizedMessage> {
      try {
        const p = decode(raw);
        return Promise.resolve(webformToNormalized(p.submission, { inboxId: ctx.inboxId, receivedAt: new Date(p.receivedAt), submissionId: p.submissionId }));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    send(): Promise<never> {
      return Promise.reject(new Error('web form replies are sent by email'));
    },
    classifySendError: () => 'permanent',
  };
}

function decode(raw: Buffer): StoredWebformSubmission {
  let p: Partial<StoredWebformSubmission>;
  try {
    p = JSON.parse(raw.toString('utf8')) as Partial<StoredWebformSubmission>;
  } catch {
    throw new QuarantineError('web form payload is not JSON');
  }
  const s = p.submission;
  if (!p.submissionId || !p.receivedAt || Number.isNaN(Date.parse(p.receivedAt)) || !s || typeof s.email !== 'string' || typeof s.message !== 'string') {
    throw new QuarantineError('web form payload lacks submissionId, receivedAt or submission');
  }
  return { submissionId: p.submissionId, receivedAt: p.receivedAt, submission: { name: String(s.name ?? ''), email: s.email, subject: s.subject ?? null, message: s.message, custom: s.custom ?? {} } };
}
