import { CreateCannedReplyRequest, expandPlaceholders, type PlaceholderContext } from './canned-replies';

const ctx: PlaceholderContext = {
  contact: { name: 'Jane  Q. Doe' },
  agent: { name: 'Alice Agent' },
  thread: { number: 1042, subject: 'Broken kettle' },
  inbox: { name: 'Support' },
};

describe('expandPlaceholders', () => {
  it('fills every known placeholder, spaces inside the braces allowed', () => {
    const r = expandPlaceholders(
      'Hi {{contact.firstName}} ({{ contact.name }}), about #{{thread.number}} "{{thread.subject}}" — {{agent.firstName}} / {{agent.name}}, {{inbox.name}}',
      ctx,
    );
    expect(r).toEqual({ text: 'Hi Jane (Jane  Q. Doe), about #1042 "Broken kettle" — Alice / Alice Agent, Support', issues: [] });
  });

  it('uses the fallback only when the value is missing or blank', () => {
    expect(expandPlaceholders('Hi {{contact.firstName | there}}!', { contact: { name: null } }).text).toBe('Hi there!');
    expect(expandPlaceholders('Hi {{contact.firstName | there}}!', { contact: { name: '   ' } }).text).toBe('Hi there!');
    expect(expandPlaceholders('Hi {{contact.firstName|there}}!', ctx).text).toBe('Hi Jane!');
    expect(expandPlaceholders('Hi {{ contact.name | dear customer }}.', {}).text).toBe('Hi dear customer.');
    expect(expandPlaceholders('Thread {{thread.number | ?}}', { thread: { number: 0 } }).text).toBe('Thread 0');
  });

  it('leaves a known placeholder without value or fallback visible and reports it', () => {
    const r = expandPlaceholders('Hi {{contact.name}}, re {{thread.subject}}', { thread: { subject: 'X' } });
    expect(r.text).toBe('Hi {{contact.name}}, re X');
    expect(r.issues).toEqual([{ placeholder: '{{contact.name}}', key: 'contact.name', reason: 'empty' }]);
  });

  it('never removes an unknown placeholder, even with a fallback, and flags each one', () => {
    const r = expandPlaceholders('Dear {{contact.nmae}}, {{ order.id | n/a }} and {{}}', ctx);
    expect(r.text).toBe('Dear {{contact.nmae}}, {{ order.id | n/a }} and {{}}');
    expect(r.issues).toEqual([
      { placeholder: '{{contact.nmae}}', key: 'contact.nmae', reason: 'unknown' },
      { placeholder: '{{ order.id | n/a }}', key: 'order.id', reason: 'unknown' },
      { placeholder: '{{}}', key: '', reason: 'unknown' },
    ]);
  });

  it('does not treat inherited object keys as placeholders', () => {
    expect(expandPlaceholders('{{constructor}} {{toString}}', ctx).issues.map((i) => i.reason)).toEqual(['unknown', 'unknown']);
  });

  it('keeps text without placeholders and single braces as they are', () => {
    expect(expandPlaceholders('Use {curly} and }} {{ as text', ctx)).toEqual({ text: 'Use {curly} and }} {{ as text', issues: [] });
  });
});

describe('CreateCannedReplyRequest', () => {
  it('lowercases the shortcut and drops a leading slash', () => {
    expect(CreateCannedReplyRequest.parse({ title: 'Refund', body: 'x', shortcut: '/Refund' }).shortcut).toBe('refund');
  });

  it('names teamId when a team reply has none or another scope has one', () => {
    const paths = (v: unknown) => (CreateCannedReplyRequest.safeParse(v).error?.issues ?? []).map((i) => i.path.join('.'));
    expect(paths({ title: 't', body: 'b', scope: 'team' })).toEqual(['teamId']);
    expect(paths({ title: 't', body: 'b', scope: 'global', teamId: '00000000-0000-4000-8000-000000000001' })).toEqual(['teamId']);
    expect(paths({ title: ' ', body: ' ', shortcut: 'no spaces' })).toEqual(['title', 'body', 'shortcut']);
  });
});
