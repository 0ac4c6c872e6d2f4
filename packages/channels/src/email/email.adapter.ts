import type Mail from 'nodemailer/lib/mailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { ChannelAdapter, ChannelCapabilities, NormalizedMessage, ParseContext, SendErrorClass } from '../adapter';
import { emailIdempotencyKey } from './idempotency';
import { parseEmail } from './parse-email';
import { classifySmtpError, sendEmail, type MailSender, type SendEmailResult } from './send-email';

export interface EmailAdapterOptions {
  /** A long-lived nodemailer Transporter (or test double), or SMTP options for one per send. */
  transport: MailSender | SMTPTransport.Options | string;
  /** Largest outgoing attachment the adapter accepts, in bytes (default 20 MB). */
  maxOutgoingAttachmentBytes?: number;
}

export type EmailAdapter = ChannelAdapter<Buffer, Mail.Options, SendEmailResult>;

/** Email channel: raw RFC 5322 bytes in, nodemailer message options out. */
export function createEmailAdapter(options: EmailAdapterOptions): EmailAdapter {
  const capabilities: ChannelCapabilities = {
    canInitiate: true,
    attachments: true,
    html: true,
    maxAttachmentBytes: options.maxOutgoingAttachmentBytes ?? 20 * 1024 * 1024,
  };
  return {
    kind: 'email',
    capabilities,
    idempotencyKey(raw: Buffer, inboxId: string): string {
      return emailIdempotencyKey(raw, inboxId);
    },
    parse(raw: Buffer, ctx: ParseContext): Promise<NormalizedMessage> {
      return parseEmail(raw, { maxAttachmentBytes: ctx.maxAttachmentBytes, threadSecret: ctx.threadSecret });
    },
    send(mail: Mail.Options): Promise<SendEmailResult> {
      return sendEmail(options.transport, mail);
    },
    classifySendError(err: unknown): SendErrorClass {
      return classifySmtpError(err);
    },
  };
}
