import { DEFAULT_ACK_TEMPLATE, canonicalAddress, isNoReplyAddress, renderAckTemplate } from './auto-ack-rules';
import { ACK_PLACEHOLDERS, DEFAULT_ACK_TEMPLATE as CONTRACT_DEFAULT } from '@desk/contracts';

describe('isNoReplyAddress', () => {
  it.each(['noreply@x.com', 'No-Reply@X.com', 'no_reply@x.com', 'DoNotReply@x.com', 'do-not-reply@x.com', 'MAILER-DAEMON@mx.x.com', 'postmaster@x.com', 'noreply+bounce@x.com'])(
    '%s is a no-reply address',
    (a) => expect(isNoReplyAddress(a)).toBe(true),
  );
  it.each(['jane@x.com', 'reply@x.com', 'noreplyjane@x.com', 'post.master.general@x.com', 'support@noreply.com'])('%s is a person', (a) => expect(isNoReplyAddress(a)).toBe(false));
});

describe('canonicalAddress', () => {
  it('drops the +tag and lowercases', () => {
    expect(canonicalAddress(' Support+1042.abcdef@Acme.TEST ')).toBe('support@acme.test');
    expect(canonicalAddress('jane@x.com')).toBe('jane@x.com');
  });
});

describe('renderAckTemplate', () => {
  const values = { name: 'Jane', number: 1042, promise: 'by tomorrow 10:00', inbox: 'Acme Support' };
  it('fills the default template when the inbox has none', () => {
    expect(renderAckTemplate(null, values)).toBe('Hello Jane,\n\nthanks for writing to us. Your request is #1042. We will answer by tomorrow 10:00.\n\n— Acme Support');
    expect(renderAckTemplate('  ', values)).toBe(renderAckTemplate(DEFAULT_ACK_TEMPLATE, values));
  });
  it('fills every occurrence, tolerates spaces inside braces, keeps unknown placeholders', () => {
    expect(renderAckTemplate('{{ name }}/{{name}} #{{number}} {{promise}} from {{inbox}} {{other}}', values)).toBe('Jane/Jane #1042 by tomorrow 10:00 from Acme Support {{other}}');
  });
});

describe('the acknowledgement placeholders the console offers (@desk/contracts)', () => {
  const values = { name: 'Jane', number: 1042, promise: 'by tomorrow 10:00', inbox: 'Acme Support' };
  it('are exactly the ones renderAckTemplate fills, and the default template is the same text', () => {
    for (const p of ACK_PLACEHOLDERS) expect(renderAckTemplate(`x {{${p}}} y`, values)).toBe(`x ${String(values[p])} y`);
    expect(Object.keys(values).sort()).toEqual([...ACK_PLACEHOLDERS].sort());
    expect(renderAckTemplate('{{agent}} {{ticket}}', values)).toBe('{{agent}} {{ticket}}');
    expect(CONTRACT_DEFAULT).toBe(DEFAULT_ACK_TEMPLATE);
  });
});
