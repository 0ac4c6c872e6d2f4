import { createHash } from 'node:crypto';
import { headerBlock, parseHeaderBlock } from './headers';
import { emailIdempotencyKey } from './idempotency';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('emailIdempotencyKey', () => {
  it('uses the Message-ID without brackets', () => {
    const raw = Buffer.from('From: a@b.test\r\nMessage-ID: <abc.123@b.test>\r\nSubject: x\r\n\r\nbody');
    expect(emailIdempotencyKey(raw, 'inbox-1')).toBe('inbox-1:mid:abc.123@b.test');
  });

  it('matches the header name case-insensitively and handles LF line ends', () => {
    const raw = Buffer.from('From: a@b.test\nmessage-id:   <x@y>  \n\nbody');
    expect(emailIdempotencyKey(raw, 'i')).toBe('i:mid:x@y');
  });

  it('unfolds a Message-ID folded onto the next line', () => {
    const raw = Buffer.from('From: a@b.test\r\nMessage-ID:\r\n\t<folded@b.test>\r\nSubject: x\r\n\r\nbody');
    expect(emailIdempotencyKey(raw, 'i')).toBe('i:mid:folded@b.test');
  });

  it('ignores a Message-ID that only appears in the body or in an attached message', () => {
    const raw = Buffer.from('From: a@b.test\r\nSubject: x\r\n\r\nMessage-ID: <in-body@b.test>\r\n');
    expect(emailIdempotencyKey(raw, 'i')).toBe(`i:sha256:${sha(raw)}`);
  });

  it('falls back to the sha256 of the raw bytes without a Message-ID', () => {
    const raw = Buffer.from('From: a@b.test\r\nSubject: no id\r\n\r\nbody');
    const key = emailIdempotencyKey(raw, 'inbox-2');
    expect(key).toBe(`inbox-2:sha256:${sha(raw)}`);
    expect(key).toMatch(/^inbox-2:sha256:[0-9a-f]{64}$/);
    // Different bytes, different key.
    expect(emailIdempotencyKey(Buffer.concat([raw, Buffer.from('!')]), 'inbox-2')).not.toBe(key);
  });

  it('falls back to sha256 for an empty Message-ID and for an empty input', () => {
    const raw = Buffer.from('From: a@b.test\r\nMessage-ID:   \r\n\r\nbody');
    expect(emailIdempotencyKey(raw, 'i')).toBe(`i:sha256:${sha(raw)}`);
    expect(emailIdempotencyKey(Buffer.alloc(0), 'i')).toBe(`i:sha256:${sha(Buffer.alloc(0))}`);
  });

  it('accepts a bare id without brackets', () => {
    expect(emailIdempotencyKey(Buffer.from('Message-Id: bare@b.test\n\n'), 'i')).toBe('i:mid:bare@b.test');
  });
});

describe('header block reader', () => {
  it('stops at the first empty line and unfolds continuation lines', () => {
    const raw = Buffer.from('Subject: one\r\n two\r\n\tthree\r\nX-A: 1\r\nno colon line\r\n\r\nX-B: body');
    const headers = parseHeaderBlock(headerBlock(raw));
    expect(headers).toEqual([
      { name: 'subject', value: 'one two three' },
      { name: 'x-a', value: '1' },
    ]);
  });

  it('keeps 8-bit bytes as latin1 characters instead of failing', () => {
    const raw = Buffer.concat([Buffer.from('Subject: '), Buffer.from([0xe4, 0xff]), Buffer.from('\n\n')]);
    expect(parseHeaderBlock(headerBlock(raw))).toEqual([{ name: 'subject', value: '\u00e4\u00ff' }]);
  });
});
