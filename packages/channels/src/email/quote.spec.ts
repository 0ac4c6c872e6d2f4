import { htmlToText, splitReply } from './quote';

describe('splitReply', () => {
  it('cuts at a Gmail "On ... wrote:" header wrapped over two lines', () => {
    const text = 'Works now.\n\nOn Mon, Mar 3, 2025 at 4:12 PM Acme Support <support@acme.test>\nwrote:\n> old\n';
    expect(splitReply(text).visibleText).toBe('Works now.');
    expect(splitReply(text).hiddenText).toContain('> old');
  });

  it('removes > quoted lines and a "-- " signature', () => {
    expect(splitReply('New text\n\n> quoted\n> more\n').visibleText).toBe('New text');
    expect(splitReply('New text\n\n-- \nJohn\nACME Inc\n').visibleText).toBe('New text');
  });

  it('cuts Outlook "-----Original Message-----" and "From:/Sent:" blocks', () => {
    expect(splitReply('Yes.\r\n\r\n-----Original Message-----\r\nFrom: A\r\nSent: today\r\n\r\nold').visibleText).toBe('Yes.');
    expect(splitReply('Yes.\n\n________________________________\nFrom: Acme\nSent: Monday\nTo: me\n\nold').visibleText).toBe('Yes.');
    expect(splitReply('Ja.\n\nVon: Acme <s@acme.test>\nGesendet: Montag\nAn: ich\n\nalt').visibleText).toBe('Ja.');
  });

  it('keeps a From: line that is not a header block', () => {
    expect(splitReply('From: my phone I cannot log in.\nPlease help.').visibleText).toBe('From: my phone I cannot log in.\nPlease help.');
  });

  it('handles German and French quote headers', () => {
    expect(splitReply('Danke.\n\nAm 03.03.2025 um 16:12 schrieb Acme <s@acme.test>:\n> alt').visibleText).toBe('Danke.');
    expect(splitReply('Danke.\n\nAm Mo., 3. März 2025 schrieb Acme Support:\n> alt').visibleText).toBe('Danke.');
    expect(splitReply('Merci.\n\nLe lun. 3 mars 2025 à 16:12, Acme <s@acme.test> a écrit :\n> vieux').visibleText).toBe('Merci.');
  });

  it('returns the whole text when nothing is quoted', () => {
    expect(splitReply('Line one\nLine two').visibleText).toBe('Line one\nLine two');
    expect(splitReply('').visibleText).toBe('');
  });
});

describe('htmlToText', () => {
  it('turns blocks into lines, blockquotes into > lines and drops scripts', () => {
    const text = htmlToText('<div>Hi &amp; thanks</div><script>x()</script><blockquote><p>old line</p></blockquote>');
    expect(text).toBe('Hi & thanks\n\n> old line');
  });

  it('lets splitReply remove the quote of an html-only reply', () => {
    const html = '<div>New answer</div><div>On Mon, Mar 3, 2025 at 4:12 PM Acme wrote:</div><blockquote>old</blockquote>';
    expect(splitReply(htmlToText(html)).visibleText).toBe('New answer');
  });
});
