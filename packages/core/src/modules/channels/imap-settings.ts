import { z } from 'zod';

/**
 * `inboxes.settings.imap` of an email inbox that is fetched by the worker's IMAP poller.
 * Lives in core because the worker has no zod of its own and the api will validate the same shape.
 */
export const ImapSettingsSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(993),
    /** Implicit TLS (993). false = plaintext, upgraded with STARTTLS when the server offers it. */
    secure: z.boolean().default(true),
    user: z.string().min(1),
    password: z.string().min(1),
    mailbox: z.string().min(1).default('INBOX'),
    /** What happens on the server once a message is committed: flag it \Seen, move it, or nothing. */
    afterImport: z.enum(['seen', 'move', 'none']).default('seen'),
    moveTo: z.string().min(1).optional(),
    /** Poll interval when the server has no IDLE; with IDLE, a safety re-check interval. */
    pollSeconds: z.number().int().min(1).max(3600).default(60),
  })
  .refine((s) => s.afterImport !== 'move' || s.moveTo !== undefined, { message: 'moveTo is required when afterImport is "move"', path: ['moveTo'] });

export type ImapSettings = z.infer<typeof ImapSettingsSchema>;

/** null when the inbox has no `imap` settings at all; an error message when they are malformed. */
export function readImapSettings(settings: Record<string, unknown>): { ok: true; value: ImapSettings } | { ok: false; error: string } | null {
  if (settings['imap'] === undefined || settings['imap'] === null) return null;
  const r = ImapSettingsSchema.safeParse(settings['imap']);
  if (r.success) return { ok: true, value: r.data };
  const first = r.error.issues[0];
  return { ok: false, error: first ? `${first.path.join('.') || 'imap'}: ${first.message}` : 'invalid imap settings' };
}
