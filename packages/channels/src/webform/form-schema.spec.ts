import { buildFormSchema, HONEYPOT_FIELD, parseFormSubmission, webformIdempotencyKey, webformToNormalized, type FormFieldSpec } from './form-schema';

const custom: FormFieldSpec[] = [
  { name: 'order_number', label: 'Order number', type: 'text', required: false, maxLength: 20 },
  { name: 'topic', label: 'Topic', type: 'select', required: true, options: ['billing', 'delivery'] },
  { name: 'contact_me', label: 'Please phone me', type: 'checkbox', required: false },
  { name: 'terms', label: 'I accept the terms', type: 'checkbox', required: true },
];

const valid = { name: ' Jane ', email: ' Jane@Example.COM ', message: 'My parcel is late', topic: 'delivery', terms: 'on' };

describe('parseFormSubmission', () => {
  it('accepts a valid urlencoded-style body, trims, lower-cases the email and converts checkboxes', () => {
    const result = parseFormSubmission({ ...valid, contact_me: 'true', order_number: ' 123 ', extra: 'ignored' }, custom);
    expect(result).toEqual({
      ok: true,
      value: {
        name: 'Jane',
        email: 'jane@example.com',
        subject: null,
        message: 'My parcel is late',
        custom: { order_number: '123', topic: 'delivery', contact_me: true, terms: true },
      },
    });
  });

  it('accepts JSON booleans and reads an absent checkbox as false', () => {
    const result = parseFormSubmission({ ...valid, terms: true, subject: 'Late' }, custom);
    expect(result.ok && result.value.custom).toEqual({ order_number: null, topic: 'delivery', contact_me: false, terms: true });
    expect(result.ok && result.value.subject).toBe('Late');
  });

  it('names every failing field', () => {
    const result = parseFormSubmission({ email: 'not-an-email', message: '', topic: 'refunds', contact_me: 'maybe', order_number: 'x'.repeat(21) }, custom);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.spam).toBe(false);
    expect(Object.fromEntries(result.errors.map((e) => [e.field, e.message]))).toEqual({
      name: 'Your name is required',
      email: 'Email address must be a valid email address',
      message: 'Message is required',
      order_number: 'Order number must be at most 20 characters',
      topic: 'Topic must be one of: billing, delivery',
      contact_me: 'Please phone me must be checked or not',
      terms: 'I accept the terms must be checked',
    });
  });

  it('enforces the built-in limits', () => {
    const long = parseFormSubmission({ ...valid, name: 'n'.repeat(201), subject: 's'.repeat(201), message: 'm'.repeat(20_001) }, custom);
    expect(long.ok ? [] : long.errors.map((e) => e.field)).toEqual(['name', 'subject', 'message']);
    expect(parseFormSubmission({ ...valid, message: 'm'.repeat(20_000) }, custom).ok).toBe(true);
  });

  it('flags a filled honeypot as spam', () => {
    const result = parseFormSubmission({ ...valid, [HONEYPOT_FIELD]: 'http://spam.example' }, custom);
    expect(result).toEqual({ ok: false, spam: true, errors: [{ field: 'website', message: 'must be empty' }] });
    expect(parseFormSubmission({ ...valid, website: '' }, custom).ok).toBe(true);
  });

  it('refuses repeated keys and non-text values for text fields', () => {
    const result = parseFormSubmission({ ...valid, name: ['a', 'b'] }, custom);
    expect(result.ok ? null : result.errors).toEqual([{ field: 'name', message: 'Your name must be text' }]);
    expect(parseFormSubmission({ ...valid, name: ['Jane'] }, custom).ok).toBe(true);
  });
});

describe('buildFormSchema', () => {
  it('refuses bad field definitions', () => {
    expect(() => buildFormSchema([{ name: 'website', label: 'W', type: 'text', required: false }])).toThrow('invalid form field name');
    expect(() => buildFormSchema([{ name: 'Bad Name', label: 'W', type: 'text', required: false }])).toThrow('invalid form field name');
    expect(() => buildFormSchema([{ name: 'pick', label: 'P', type: 'select', required: true }])).toThrow('needs options');
  });
});

describe('webformToNormalized', () => {
  it('builds a message from the email address given, replied to by email', () => {
    const parsed = parseFormSubmission({ ...valid, subject: 'Late parcel' }, custom);
    if (!parsed.ok) throw new Error('expected ok');
    const receivedAt = new Date('2024-03-01T10:00:00Z');
    const message = webformToNormalized(parsed.value, { inboxId: 'inbox-form', receivedAt, submissionId: 'sub-1' });
    expect(message).toMatchObject({
      channel: 'webform',
      externalId: 'sub-1',
      sender: { kind: 'email', value: 'jane@example.com', displayName: 'Jane' },
      subject: 'Late parcel',
      sentAt: receivedAt,
      text: 'My parcel is late',
      visibleText: 'My parcel is late',
      isPublic: true,
      isAutomatic: false,
      replyTarget: { kind: 'email', id: 'jane@example.com' },
      formFields: { topic: 'delivery', terms: true, contact_me: false, order_number: null },
    });
    expect(message.conversationKey).toBeUndefined();
    expect(webformIdempotencyKey('inbox-form', 'sub-1')).toBe('inbox-form:webform:sub-1');
  });
});
