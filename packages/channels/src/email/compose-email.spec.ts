import nodemailer from 'nodemailer';
import { parseEmail } from './parse-email';
import { capReferences, composeAutoAck, composeReply, type ComposeReplyInput } from './compose-email';
import { sendEmail } from './send-email';
import { buildMarker, signThreadToken, verifyThreadToken } from './threading';

const SECRET = 'test-secret';

const input = (over: Partial<ComposeReplyInput> = {}): ComposeReplyInput => ({
  from: '"Acme Support" <support@acme.test>',
  replyTo: 'support@acme.test',
  to: ['kim@customer.test'],
  cc: ['boss@customer.test'],
  subject: 'Re: Password reset',
  text: 'Please try again.',
  html: '<html><body><p>Please try again.</p></body></html>',
  threadNumber: 77,
  messageId: '<reply-1@acme.test>',
  inReplyTo: '<CAGmail123@mail.gmail.test>',
  references: ['<root@customer.test>', '<out-2@acme.test>'],
  tokenSecret: SECRET,
  ...over,
});

describe('composeReply', () => {
  it('sets our Message-ID, threading headers, tagged subject and signed Reply-To', () => {
    const mail = composeReply(input());
    expect(mail.messageId).toBe('<reply-1@acme.test>');
    expect(mail.inReplyTo).toBe('<CAGmail123@mail.gmail.test>');
    expect(mail.references).toEqual(['<root@customer.test>', '<out-2@acme.test>', '<CAGmail123@mail.gmail.test>']);
    expect(mail.subject).toBe('Re: Password reset [#77]');
    expect(mail.replyTo).toBe(`support+${signThreadToken(77, SECRET)}@acme.test`);
    expect(mail.to).toEqual(['kim@customer.test']);
    expect(mail.cc).toEqual(['boss@customer.test']);
    expect(mail.bcc).toBeUndefined();
    expect(mail.headers).toBeUndefined(); // no Auto-Submitted on a human reply
  });

  it('puts the marker in text and html (inside body)', () => {
    const marker = buildMarker(77, SECRET);
    const mail = composeReply(input());
    expect(mail.text).toBe(`Please try again.\n\n${marker.text}\n`);
    expect(mail.html).toBe(`<html><body><p>Please try again.</p>${marker.html}</body></html>`);
    expect(composeReply(input({ html: '<p>x</p>' })).html).toBe(`<p>x</p>${marker.html}`);
    expect(composeReply(input({ html: undefined })).html).toBeUndefined();
  });

  it('starts a chain without In-Reply-To or References for a first outbound message', () => {
    const mail = composeReply(input({ inReplyTo: null, references: [] }));
    expect(mail.inReplyTo).toBeUndefined();
    expect(mail.references).toBeUndefined();
  });

  it('caps References keeping the root and the latest ids', () => {
    const refs = Array.from({ length: 30 }, (_, i) => `<r${i}@x>`);
    const mail = composeReply(input({ references: refs, inReplyTo: '<last@x>' }));
    const out = mail.references as string[];
    expect(out).toHaveLength(20);
    expect(out[0]).toBe('<r0@x>');
    expect(out[19]).toBe('<last@x>');
    expect(out[18]).toBe('<r29@x>');
    expect(capReferences(['a', 'b', 'c'], 2)).toEqual(['a', 'c']);
    expect(capReferences(['a', 'b'], 5)).toEqual(['a', 'b']);
  });

  it('marks the auto-acknowledgement as auto-replied', () => {
    const mail = composeAutoAck(input());
    expect(mail.headers).toEqual({ 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' });
    expect(mail.subject).toBe('Re: Password reset [#77]');
  });

  it('round-trips: the rendered reply parses back with its threading keys', async () => {
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
    let raw: Buffer | null = null;
    const sender = {
      sendMail: async (mail: Parameters<typeof transport.sendMail>[0]) => {
        const info = await transport.sendMail(mail);
        raw = info.message as Buffer;
        return info;
      },
    };
    const result = await sendEmail(sender, composeAutoAck(input({ attachments: [{ filename: 'a.txt', content: Buffer.from('hello') }] })));
    expect(result.providerMessageId).toBe('<reply-1@acme.test>');
    expect(raw).not.toBeNull();
    const text = (raw as unknown as Buffer).toString();
    expect(text).toMatch(/^Auto-Submitted: auto-replied$/m);
    expect(text).toMatch(/^References: <root@customer.test> <out-2@acme.test>\s+<CAGmail123@mail.gmail.test>$/m);

    const parsed = await parseEmail(raw as unknown as Buffer, { maxAttachmentBytes: 1000, threadSecret: SECRET });
    expect(parsed.externalId).toBe('reply-1@acme.test');
    expect(parsed.threading.inReplyTo).toBe('CAGmail123@mail.gmail.test');
    expect(parsed.threading.references).toEqual(['root@customer.test', 'out-2@acme.test', 'CAGmail123@mail.gmail.test']);
    expect(parsed.threading.subjectNumber).toBe(77);
    expect(parsed.threading.marker?.valid).toBe(true);
    expect(parsed.isAutomatic).toBe(true);
    expect(parsed.attachments.map((a) => a.content.toString())).toEqual(['hello']);
    expect(parsed.visibleText).toBe('Please try again.\n\n' + buildMarker(77, SECRET).text);
    // The customer's client answers to Reply-To: its token leads back to thread 77.
    const replyTo = /^Reply-To: (\S+)$/m.exec(text)?.[1] ?? '';
    expect(verifyThreadToken(replyTo.replace(/^.*\+|@.*$/g, ''), SECRET)).toBe(77);
  });
});
