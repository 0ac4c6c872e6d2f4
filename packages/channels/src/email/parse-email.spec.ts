import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QuarantineError, type NormalizedMessage } from '../adapter';
import { emailIdempotencyKey } from './idempotency';
import { parseEmail } from './parse-email';

const CORPUS = join(__dirname, '__fixtures__', 'corpus');
const SECRET = 'test-secret';
const LIMIT = 1024;

type Expectation =
  | { quarantine: string }
  | { check: (m: NormalizedMessage) => void };

const notAutomatic = (m: NormalizedMessage): void => {
  expect(m.isAutomatic).toBe(false);
  expect(m.automaticReason).toBeNull();
  expect(m.bounce).toBeNull();
};

// One entry per corpus file; a file without an entry fails the suite.
const expectations: Record<string, Expectation> = {
  '01-utf8-base64.eml': {
    check: (m) => {
      expect(m.sender).toEqual({ kind: 'email', value: 'alice@customer.test', displayName: 'Alice Customer' });
      expect(m.externalId).toBe('utf8-b64@customer.test');
      expect(m.subject).toBe('Order not delivered');
      expect(m.visibleText).toBe('Grüße aus München — 東京 🚀\nMeine Bestellung #5521 ist nicht angekommen.');
      expect(m.sentAt?.toISOString()).toBe('2025-03-04T09:15:00.000Z');
      expect(m.html).toBeNull();
      expect(m.isPublic).toBe(true);
      expect(m.channel).toBe('email');
      notAutomatic(m);
    },
  },
  '02-utf8-qp.eml': {
    check: (m) => {
      // The soft line breaks of quoted-printable are joined back into one line.
      expect(m.visibleText).toBe(
        "Bonjour, je voudrais commander une crème brûlée et un café très chaud, s'il vous plaît, avant vendredi prochain à midi.",
      );
    },
  },
  '03-iso-8859-1.eml': {
    check: (m) => {
      expect(m.subject).toBe('Bestellung ändern');
      expect(m.visibleText).toBe('Ich möchte meine Bestellung ändern. Größe: L, Farbe: weiß.');
    },
  },
  '04-iso-8859-2.eml': {
    check: (m) => {
      expect(m.subject).toBe('Zwrot pieniędzy');
      expect(m.visibleText).toBe('Zażółć gęślą jaźń. Proszę o zwrot pieniędzy.');
    },
  },
  '05-iso-8859-15.eml': {
    check: (m) => expect(m.visibleText).toBe("Le prix est de 50 € pour le cœur de l'œuvre."),
  },
  '06-windows-1252.eml': {
    check: (m) => expect(m.visibleText).toBe('The invoice says “€ 120” — that’s wrong.'),
  },
  '07-windows-1251.eml': {
    check: (m) => {
      expect(m.subject).toBe('Проблема с заказом');
      expect(m.visibleText).toBe('Здравствуйте, у меня проблема с заказом.');
    },
  },
  '08-iso-2022-jp.eml': {
    check: (m) => {
      expect(m.sender.displayName).toBe('山田太郎');
      expect(m.subject).toBe('注文について');
      expect(m.visibleText).toBe('注文した商品がまだ届きません。');
    },
  },
  '09-rfc2047-b.eml': {
    check: (m) => {
      // Address normalized to lower case; the two folded encoded words join without a space.
      expect(m.sender).toEqual({ kind: 'email', value: 'zoe.angstrom@customer.test', displayName: 'Zoë Ångström' });
      expect(m.subject).toBe('Rückerstattung für Bestellung 💳');
    },
  },
  '10-rfc2047-q.eml': {
    check: (m) => {
      expect(m.sender.displayName).toBe('François Müller');
      expect(m.subject).toBe('Problème de livraison — urgent');
      expect(m.participants).toEqual(['support@acme.test', 'bob@customer.test', 'carol@customer.test']);
    },
  },
  '11-missing-message-id.eml': {
    check: (m) => {
      expect(m.externalId).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(m.visibleText).toBe('Hello, this message has no Message-ID.');
      expect(m.sender.displayName).toBeNull();
    },
  },
  '12-header-without-colon.eml': {
    check: (m) => {
      expect(m.subject).toBe('Still parsed');
      expect(m.sender.value).toBe('eve@customer.test');
      expect(m.visibleText).toBe('Body after a broken header.');
    },
  },
  '13-broken-date.eml': {
    check: (m) => {
      // mailparser would put "now" here; an unknown date must stay unknown.
      expect(m.sentAt).toBeNull();
      expect(m.subject).toBe('Broken date');
    },
  },
  '14-unterminated-encoded-word.eml': {
    check: (m) => {
      expect(m.subject).toBe('=?UTF-8?Q?Caf=C3=A9_open');
      expect(m.sender.value).toBe('grace@customer.test');
      expect(m.sender.displayName).toBe('=?UTF-8?B?R3JhY2U');
    },
  },
  '15-raw-utf8-headers.eml': {
    check: (m) => {
      expect(m.subject).toBe('Grüße aus Köln – Lieferung');
      expect(m.sender.displayName).toBe('Jürgen Weiß');
      expect(m.visibleText).toBe('Schöne Grüße!');
    },
  },
  '16-nested-multipart.eml': {
    check: (m) => {
      expect(m.visibleText).toBe('See the screenshot below.');
      expect(m.html).toContain('src="cid:shot1@customer.test"');
      expect(m.attachments.map((a) => [a.filename, a.contentType, a.inline, a.contentId])).toEqual([
        ['shot.png', 'image/png', true, 'shot1@customer.test'],
        ['invoice.pdf', 'application/pdf', false, null],
      ]);
      const png = m.attachments[0];
      expect(png?.content.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(png?.size).toBe(png?.content.length);
      expect(png?.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(m.refusedAttachments).toEqual([]);
    },
  },
  '17-attachment-over-limit.eml': {
    check: (m) => {
      expect(m.refusedAttachments).toEqual([
        { filename: 'huge.bin', contentType: 'application/octet-stream', size: 4096, reason: 'too_large' },
      ]);
      expect(m.attachments).toHaveLength(1);
      expect(m.attachments[0]?.filename).toBe('small.txt');
      expect(m.attachments[0]?.content.toString()).toBe('small file');
    },
  },
  '18-auto-submitted.eml': {
    check: (m) => {
      expect(m.isAutomatic).toBe(true);
      expect(m.automaticReason).toBe('auto-submitted: auto-replied');
      expect(m.threading.subjectNumber).toBe(1234);
      expect(m.bounce).toBeNull();
    },
  },
  '19-x-autoreply.eml': {
    check: (m) => expect([m.isAutomatic, m.automaticReason]).toEqual([true, 'x-autoreply']),
  },
  '20-precedence-bulk.eml': {
    check: (m) => expect([m.isAutomatic, m.automaticReason]).toEqual([true, 'precedence: bulk']),
  },
  '21-null-return-path.eml': {
    check: (m) => expect([m.isAutomatic, m.automaticReason]).toEqual([true, 'null return-path']),
  },
  '22-dsn-bounce.eml': {
    check: (m) => {
      expect([m.isAutomatic, m.automaticReason]).toEqual([true, 'delivery status notification']);
      expect(m.bounce).toEqual({
        originalMessageIds: ['3f1c2a9e-0b7d-4c55-9a57-6a1f0d2b9c11@acme.test'],
        recipient: 'nobody@customer.test',
        status: '5.1.1',
        diagnostic:
          'smtp; 550 5.1.1 <nobody@customer.test>: Recipient address rejected: User unknown in virtual mailbox table',
        permanent: true,
      });
      expect(m.sender.value).toBe('mailer-daemon@mx.acme.test');
    },
  },
  '23-forwarded-rfc822.eml': {
    check: (m) => {
      expect(m.visibleText).toBe('Forwarding the shipping confirmation, the item is wrong.');
      expect(m.attachments).toHaveLength(1);
      expect(m.attachments[0]?.contentType).toBe('message/rfc822');
      expect(m.attachments[0]?.filename).toBe('original.eml');
      expect(m.attachments[0]?.content.toString()).toContain('Message-ID: <shipped@shop.test>');
      notAutomatic(m);
    },
  },
  '24-html-only-dangerous.eml': {
    check: (m) => {
      const html = m.html ?? '';
      expect(html).toContain('<p>Hello <b>team</b>, my account is locked.</p>');
      for (const bad of ['<script', 'onclick', 'onload', '<form', '<input', '<iframe', 'javascript:', 'url(', 'Evil title', 'document.cookie']) {
        expect(html).not.toContain(bad);
      }
      expect(html).toContain('data-remote-src="http://track.test/pixel.gif"');
      expect(html).not.toMatch(/\ssrc="http/);
      expect(html).toContain('src="cid:logo@customer.test"');
      expect(html).toContain('<a href="https://help.test/article" rel="noopener noreferrer" target="_blank">');
      expect(html).toContain('style="color:red"');
      // The text is derived from the html, without script or title content.
      expect(m.text).toContain('Hello team, my account is locked.');
      expect(m.text).not.toContain('document');
      expect(m.text).not.toContain('Evil title');
      expect(m.visibleText.startsWith('Hello team, my account is locked.')).toBe(true);
    },
  },
  '25-outlook-reply.eml': {
    check: (m) => {
      expect(m.sender.value).toBe('jane.doe@customer.test');
      expect(m.visibleText).toBe('Thanks, that works for me.\n\nJane');
      expect(m.text).toContain('We have shipped a replacement.');
      expect(m.threading).toEqual({
        inReplyTo: 'out-1@acme.test',
        references: ['first@customer.test', 'out-1@acme.test'],
        token: '1234.0000000000000000',
        marker: null,
        subjectNumber: 1234,
      });
    },
  },
  '26-gmail-reply.eml': {
    check: (m) => {
      expect(m.visibleText).toBe('The reset link still does not work.');
      expect(m.externalId).toBe('CAGmail123@mail.gmail.test');
      // The marker in the quoted history is found, but its signature is not ours.
      expect(m.threading.marker).toEqual({ raw: '77.deadbeef', threadNumber: 77, valid: false });
      expect(m.threading.subjectNumber).toBe(77);
    },
  },
  '27-no-body.eml': {
    check: (m) => {
      expect(m.text).toBe('');
      expect(m.visibleText).toBe('');
      expect(m.html).toBeNull();
      expect(m.subject).toBe('Subject only');
    },
  },
  '28-empty.eml': { quarantine: 'empty message' },
  '29-garbage.eml': { quarantine: 'no header block' },
  '30-missing-from.eml': { quarantine: 'missing sender' },
  '31-german-reply.eml': {
    check: (m) => {
      expect(m.visibleText).toBe('Vielen Dank, das Problem ist gelöst.');
      expect(m.threading.subjectNumber).toBe(88);
    },
  },
  '32-french-reply.eml': {
    check: (m) => expect(m.visibleText).toBe("Merci, c'est réglé."),
  },
  '33-plus-token-marker.eml': {
    check: (m) => {
      expect(m.visibleText).toBe('Yes please, send it tomorrow.');
      expect(m.threading.token).toBe('4242.e3b77be433173022');
      // The marker only survives in the html quote (as a comment); the sanitized html drops it.
      expect(m.threading.marker).toEqual({ raw: '4242.640e0120', threadNumber: 4242, valid: true });
      expect(m.html).not.toContain('desk-ref');
      expect(m.threading.subjectNumber).toBe(4242);
      expect(m.threading.inReplyTo).toBe('out-4242@acme.test');
    },
  },
  '34-list-unsubscribe-not-automatic.eml': { check: notAutomatic },
  '35-outlook-from-sent-block.eml': {
    check: (m) => expect(m.visibleText).toBe('I accept the quote.'),
  },
  '36-auto-submitted-no.eml': { check: notAutomatic },
  '37-precedence-list.eml': {
    check: (m) => expect([m.isAutomatic, m.automaticReason]).toEqual([true, 'precedence: list']),
  },
  '38-x-autorespond.eml': {
    check: (m) => expect([m.isAutomatic, m.automaticReason]).toEqual([true, 'x-autorespond']),
  },
  '39-dsn-delayed-rfc822.eml': {
    check: (m) => {
      expect(m.automaticReason).toBe('delivery status notification');
      expect(m.bounce).toEqual({
        originalMessageIds: ['reply-99@acme.test'],
        recipient: 'slow@customer.test',
        status: '4.4.7',
        diagnostic: 'smtp; 451 4.4.7 Try again later',
        permanent: false,
      });
    },
  },
};

const files = readdirSync(CORPUS).filter((f) => f.endsWith('.eml')).sort();

describe('email corpus', () => {
  it('has at least 30 messages, each with an expectation', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(files.filter((f) => !(f in expectations))).toEqual([]);
    expect(Object.keys(expectations).filter((f) => !files.includes(f))).toEqual([]);
  });

  it.each(files)('%s', async (file) => {
    const raw = readFileSync(join(CORPUS, file));
    const expectation = expectations[file];
    if (!expectation) throw new Error(`no expectation for ${file}`);
    if ('quarantine' in expectation) {
      const error = await parseEmail(raw, { maxAttachmentBytes: LIMIT, threadSecret: SECRET }).then(
        () => null,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(QuarantineError);
      expect((error as QuarantineError).reason).toBe(expectation.quarantine);
    } else {
      expectation.check(await parseEmail(raw, { maxAttachmentBytes: LIMIT, threadSecret: SECRET }));
    }
  });

  it('gives the same externalId as the idempotency key for messages with a Message-ID', async () => {
    for (const file of files) {
      const raw = readFileSync(join(CORPUS, file));
      const m = await parseEmail(raw, { maxAttachmentBytes: LIMIT }).catch(() => null);
      if (!m) continue;
      const key = emailIdempotencyKey(raw, 'inbox-1');
      expect(key).toBe(m.externalId.startsWith('sha256:') ? `inbox-1:${m.externalId}` : `inbox-1:mid:${m.externalId}`);
    }
  });

  it('leaves marker validity unchecked (null) without a secret', async () => {
    const raw = readFileSync(join(CORPUS, '33-plus-token-marker.eml'));
    const m = await parseEmail(raw, { maxAttachmentBytes: LIMIT });
    expect(m.threading.marker).toEqual({ raw: '4242.640e0120', threadNumber: 4242, valid: null });
  });

  it('quarantines a non-buffer input', async () => {
    await expect(parseEmail('From: a@b.test' as unknown as Buffer, { maxAttachmentBytes: LIMIT })).rejects.toMatchObject({
      reason: 'input is not a byte buffer',
    });
  });
});
