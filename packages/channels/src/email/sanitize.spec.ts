import { sanitizeEmailHtml } from './sanitize';

describe('sanitizeEmailHtml', () => {
  it('removes scripts with their content', () => {
    const out = sanitizeEmailHtml('<p>hi</p><script>alert("x")</script>');
    expect(out).toBe('<p>hi</p>');
  });

  it('removes event handlers', () => {
    const out = sanitizeEmailHtml('<img src="cid:a@b" onerror="alert(1)"><p onclick="x()">t</p>');
    expect(out).not.toContain('onerror');
    expect(out).not.toContain('onclick');
    expect(out).toContain('<p>t</p>');
  });

  it('removes forms and their fields', () => {
    const out = sanitizeEmailHtml('<form action="https://evil.test"><input name="pw"><select><option>a</option></select><button>Go</button></form>ok');
    expect(out).toBe('ok');
  });

  it('removes iframes, objects, style blocks and url() in style attributes', () => {
    const out = sanitizeEmailHtml(
      '<style>p{background:url(https://t.test/a)}</style><iframe src="https://e.test"></iframe><object data="x"></object>' +
        '<p style="color: blue; background: url(https://t.test/b); font-weight: bold">x</p>',
    );
    expect(out).toBe('<p style="color:blue;font-weight:bold">x</p>');
  });

  it('blocks remote images by default, keeping the url in data-remote-src', () => {
    expect(sanitizeEmailHtml('<img src="https://t.test/p.gif" alt="p">')).toBe('<img alt="p" data-remote-src="https://t.test/p.gif" />');
    expect(sanitizeEmailHtml('<img src="//t.test/p.gif">')).toBe('<img data-remote-src="https://t.test/p.gif" />');
  });

  it('does not let the sender set data-remote-src', () => {
    expect(sanitizeEmailHtml('<img data-remote-src="javascript:alert(1)" src="cid:x@y">')).toBe('<img src="cid:x@y" />');
  });

  it('keeps remote images when allowed', () => {
    expect(sanitizeEmailHtml('<img src="https://t.test/p.gif">', { allowRemoteImages: true })).toBe('<img src="https://t.test/p.gif" />');
  });

  it('keeps cid: images', () => {
    expect(sanitizeEmailHtml('<img src="cid:logo@customer.test" alt="logo">')).toBe('<img alt="logo" src="cid:logo@customer.test" />');
  });

  it('drops javascript: links and marks links noopener, new tab', () => {
    expect(sanitizeEmailHtml('<a href="javascript:alert(1)">x</a>')).toBe('<a rel="noopener noreferrer" target="_blank">x</a>');
    expect(sanitizeEmailHtml('<a href="https://ok.test" target="_self" rel="opener">y</a>')).toBe(
      '<a href="https://ok.test" target="_blank" rel="noopener noreferrer">y</a>',
    );
  });
});
