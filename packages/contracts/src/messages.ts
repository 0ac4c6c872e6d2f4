import { z } from 'zod';
import { Message } from './threads';

const addresses = z.array(z.email()).max(50);

/** Per message: at most this many files, together at most this many bytes (each file: MAX_ATTACHMENT_BYTES). */
export const MAX_MESSAGE_ATTACHMENTS = 20;
export const MAX_MESSAGE_ATTACHMENT_TOTAL_BYTES = 25 * 1024 * 1024;

/** The answer of POST /api/attachments (multipart, field `file`): an upload waiting for its message. */
export const UploadedAttachment = z.object({
  id: z.uuid(),
  filename: z.string(),
  contentType: z.string(),
  sizeBytes: z.number().int(),
});
export type UploadedAttachment = z.infer<typeof UploadedAttachment>;

/**
 * An agent's reply (goes to the customer through the thread's channel) or internal note (never
 * leaves the desk). Text only for now: the server renders simple HTML from it.
 *
 * `seenVersion` is the thread `version` the agent's screen showed. A reply is held with 409 when a
 * message was added to the thread after that version, unless `force` is set (the agent has seen
 * what is new and sends anyway).
 */
export const CreateMessageRequest = z
  .object({
    kind: z.enum(['reply', 'note']),
    // 1..50,000 characters, and not only whitespace
    body: z.string().max(50_000).refine((s) => s.trim().length > 0, 'must not be empty or blank'),
    bodyHtml: z.never().optional(),
    to: addresses.optional(),
    cc: addresses.optional(),
    bcc: addresses.optional(),
    subject: z.string().trim().min(1).max(998).optional(),
    seenVersion: z.number().int().min(0),
    force: z.boolean().optional(),
    /** Continue a social or web-form thread by email, to an address linked to the contact. */
    channel: z.literal('email').optional(),
    /** X: a public reply tweet (true) or a direct message (false); default follows the thread's last inbound message. */
    public: z.boolean().optional(),
    /** Uploads (POST /api/attachments) by this agent not yet on a message; email replies and notes only. */
    attachmentIds: z.array(z.uuid()).max(MAX_MESSAGE_ATTACHMENTS).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.kind !== 'note') return;
    for (const key of ['to', 'cc', 'bcc', 'subject', 'channel', 'public'] as const) {
      if (v[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'a note has no recipients or subject' });
    }
  });
export type CreateMessageRequest = z.infer<typeof CreateMessageRequest>;

/** The 409 answer: what was added to the thread after the version the agent saw, oldest first. */
export const MessageConflict = z.object({
  statusCode: z.literal(409),
  error: z.literal('Conflict'),
  message: z.string(),
  newMessages: z.array(Message),
});
export type MessageConflict = z.infer<typeof MessageConflict>;
