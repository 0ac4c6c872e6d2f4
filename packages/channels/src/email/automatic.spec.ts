import { detectAutomatic, extractBounce } from './automatic';
import { parseHeaderBlock } from './headers';

const detect = (block: string) => detectAutomatic(parseHeaderBlock(block));

describe('detectAutomatic', () => {
  it.each([
    ['Auto-Submitted: auto-generated', 'auto-submitted: auto-generated'],
    ['Auto-Submitted: Auto-Replied; owner-email="x@y"', 'auto-submitted: auto-replied'],
    ['X-Autoreply: yes', 'x-autoreply'],
    ['X-Autorespond: on vacation', 'x-autorespond'],
    ['Precedence: junk', 'precedence: junk'],
    ['Precedence: List', 'precedence: list'],
    ['Return-Path: <>', 'null return-path'],
    ['Content-Type: multipart/report; report-type=delivery-status; boundary=x', 'delivery status notification'],
    ['Content-Type: multipart/report; report-type="disposition-notification"', 'read receipt'],
  ])('%s → %s', (block, reason) => {
    expect(detect(`From: a@b.test\n${block}`)).toEqual({ isAutomatic: true, reason });
  });

  it.each([
    'Auto-Submitted: no',
    'List-Id: <a.b.test>\nList-Unsubscribe: <mailto:x@y>',
    'Precedence: first-class',
    'Return-Path: <bounce@b.test>',
    'Content-Type: multipart/mixed; boundary=x',
  ])('%s is not automatic', (block) => {
    expect(detect(`From: a@b.test\n${block}`)).toEqual({ isAutomatic: false, reason: null });
  });
});

describe('extractBounce', () => {
  it('reads DSN fields and falls back to the raw bytes for the original id', () => {
    const status = Buffer.from('Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822;<X@Y.test>\nAction: failed\nStatus: 5.2.2 (mailbox full)\n');
    const raw = Buffer.from('--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: s@acme.test\r\nMessage-ID: <orig@acme.test>\r\n\r\nx\r\n--b--');
    expect(extractBounce([{ contentType: 'message/delivery-status', content: status }], raw)).toEqual({
      originalMessageIds: ['orig@acme.test'],
      recipient: 'x@y.test',
      status: '5.2.2',
      diagnostic: null,
      permanent: true,
    });
  });

  it('treats a 4.x.x status as not permanent and uses the diagnostic code without a status', () => {
    const temp = extractBounce([{ contentType: 'message/delivery-status', content: Buffer.from('Final-Recipient: rfc822; a@b\nStatus: 4.2.1\n') }]);
    expect(temp.permanent).toBe(false);
    const noStatus = extractBounce([{ contentType: 'message/delivery-status', content: Buffer.from('Diagnostic-Code: smtp; 550 no such user\n') }]);
    expect(noStatus).toMatchObject({ status: null, permanent: true, diagnostic: 'smtp; 550 no such user' });
  });
});
