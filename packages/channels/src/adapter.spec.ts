import { AdapterRegistry, QuarantineError, UnknownChannelError, type ChannelAdapter } from './adapter';
import { createEmailAdapter } from './email/email.adapter';

describe('AdapterRegistry', () => {
  const sendMail = jest.fn(async () => ({ messageId: '<m@x>', accepted: ['a@x'], rejected: [], response: '250 ok' }));
  const email = createEmailAdapter({ transport: { sendMail } });

  it('returns the adapter of a registered kind', () => {
    const registry = new AdapterRegistry([email as ChannelAdapter]);
    expect(registry.get('email')).toBe(email);
    expect(registry.has('email')).toBe(true);
    expect(registry.kinds()).toEqual(['email']);
  });

  it('throws a clear error for an unknown kind', () => {
    const registry = new AdapterRegistry([email as ChannelAdapter]);
    expect(() => registry.get('x')).toThrow(UnknownChannelError);
    expect(() => registry.get('x')).toThrow('No channel adapter registered for kind "x"');
  });

  it('refuses a second adapter for the same kind', () => {
    const registry = new AdapterRegistry([email as ChannelAdapter]);
    expect(() => registry.register(email as ChannelAdapter)).toThrow('already registered');
  });

  it('drives the email channel through the adapter', async () => {
    const raw = Buffer.from('From: A <A@B.test>\r\nTo: support@acme.test\r\nMessage-ID: <m1@b.test>\r\nSubject: Hi\r\n\r\nHello\r\n');
    expect(email.kind).toBe('email');
    expect(email.idempotencyKey(raw, 'inbox')).toBe('inbox:mid:m1@b.test');
    const message = await email.parse(raw, { inboxId: 'inbox', maxAttachmentBytes: 1000 });
    expect(message.sender).toEqual({ kind: 'email', value: 'a@b.test', displayName: 'A' });
    expect(message.visibleText).toBe('Hello');
    await expect(email.parse(Buffer.alloc(0), { inboxId: 'inbox', maxAttachmentBytes: 1 })).rejects.toBeInstanceOf(QuarantineError);
    const sent = await email.send({ to: 'a@x', text: 't' });
    expect(sent.providerMessageId).toBe('<m@x>');
    expect(email.classifySendError({ responseCode: 550 })).toBe('permanent');
  });
});

describe('QuarantineError', () => {
  it('carries the reason', () => {
    const err = new QuarantineError('missing sender');
    expect(err).toBeInstanceOf(Error);
    expect(err.reason).toBe('missing sender');
    expect(err.name).toBe('QuarantineError');
    expect(err.message).toContain('missing sender');
  });
});
