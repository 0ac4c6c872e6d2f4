import { QuarantineError } from '../adapter';
import { createWebformAdapter, encodeWebformPayload } from './webform.adapter';

describe('webform adapter', () => {
  const adapter = createWebformAdapter();
  const payload = encodeWebformPayload({
    submissionId: 'sub-9',
    receivedAt: '2024-03-01T10:00:00.000Z',
    submission: { name: 'Jane', email: 'jane@example.com', subject: null, message: 'Hello', custom: { topic: 'billing' } },
  });

  it('parses the stored submission into a message from the email given', async () => {
    const msg = await adapter.parse(payload, { inboxId: 'i1', maxAttachmentBytes: 1024 });
    expect(msg).toMatchObject({ channel: 'webform', externalId: 'sub-9', sender: { kind: 'email', value: 'jane@example.com' }, text: 'Hello', formFields: { topic: 'billing' } });
    expect(msg.sentAt?.toISOString()).toBe('2024-03-01T10:00:00.000Z');
    expect(adapter.idempotencyKey(payload, 'i1')).toBe('i1:webform:sub-9');
  });

  it('quarantines a payload that is not a stored submission', async () => {
    await expect(adapter.parse(Buffer.from('nope'), { inboxId: 'i1', maxAttachmentBytes: 1 })).rejects.toBeInstanceOf(QuarantineError);
    await expect(adapter.parse(Buffer.from('{"submissionId":"x"}'), { inboxId: 'i1', maxAttachmentBytes: 1 })).rejects.toBeInstanceOf(QuarantineError);
  });
});
