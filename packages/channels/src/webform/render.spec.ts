import type { FormFieldSpec } from './form-schema';
import { embedScript, escapeHtml, renderFormPage, renderThanksPage } from './render';

const fields: FormFieldSpec[] = [
  { name: 'topic', label: 'Topic', type: 'select', required: true, options: ['billing', 'delivery'] },
  { name: 'contact_me', label: 'Please phone me', type: 'checkbox', required: false },
];

describe('renderFormPage', () => {
  it('renders a complete page with labelled inputs, required attributes and a honeypot', () => {
    const html = renderFormPage({ title: 'Contact Acme', actionUrl: '/public/forms/inbox-1', fields, csrf: 'tok' });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<title>Contact Acme</title>');
    expect(html).toContain('<form method="post" action="/public/forms/inbox-1"');
    for (const name of ['name', 'email', 'subject', 'message', 'topic', 'contact_me']) {
      expect(html).toContain(`<label for="field-${name}">`);
      expect(html).toContain(`id="field-${name}" name="${name}"`);
    }
    expect(html).toMatch(/<input type="email" id="field-email" name="email" value=""[^>]* required aria-required="true">/);
    expect(html).toMatch(/<textarea id="field-message" name="message" rows="8" maxlength="20000" required/);
    expect(html).toContain('Subject <span class="hint">(optional)</span>');
    expect(html).toContain('<option value="delivery">delivery</option>');
    expect(html).toContain('<input type="hidden" name="_csrf" value="tok">');
    expect(html).toContain('name="website" tabindex="-1" autocomplete="off"');
    expect(html).not.toContain('role="alert"');
    expect(html).not.toContain('<script');
  });

  it('shows an error summary linking to fields, marks them invalid and keeps values', () => {
    const html = renderFormPage({
      title: 'Contact',
      actionUrl: '/f',
      fields,
      values: { name: 'Jane', topic: 'delivery', contact_me: true },
      errors: [
        { field: 'email', message: 'Email address is required' },
        { field: 'message', message: 'Message is required' },
      ],
    });
    expect(html).toContain('<title>Contact</title>');
    expect(html).toContain('<h1>Error: Contact</h1>');
    expect(html).toContain('role="alert" aria-labelledby="error-summary-title"');
    expect(html).toContain('<li><a href="#field-email">Email address is required</a></li>');
    expect(html).toContain('<li><a href="#field-message">Message is required</a></li>');
    expect(html).toMatch(/id="field-email"[^>]*aria-invalid="true" aria-describedby="field-email-error"/);
    expect(html).toContain('<p class="error" id="field-email-error">');
    expect(html).toContain('value="Jane"');
    expect(html).toContain('<option value="delivery" selected>');
    expect(html).toMatch(/id="field-contact_me" name="contact_me" value="on" checked/);
    expect(html).not.toMatch(/id="field-name"[^>]*aria-invalid/);
  });

  it('escapes every value', () => {
    const evil = '<script>alert("x")</script>';
    const html = renderFormPage({
      title: evil,
      actionUrl: '/f?a=1&b="2"',
      fields: [{ name: 'note', label: evil, type: 'select', required: false, options: [evil] }],
      values: { name: evil, message: `</textarea>${evil}`, note: evil },
      errors: [{ field: 'name', message: evil }],
      csrf: '"><script>',
    });
    expect(html).not.toContain('<script');
    expect(html).not.toContain('</textarea><');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('action="/f?a=1&amp;b=&quot;2&quot;"');
    expect(escapeHtml(`'&`)).toBe('&#39;&amp;');
  });
});

describe('renderThanksPage', () => {
  it('tells the thread number', () => {
    const html = renderThanksPage({ threadNumber: 1042 });
    expect(html).toContain('<title>Thank you</title>');
    expect(html).toContain('<strong>#1042</strong>');
    expect(html).toContain('role="status"');
  });
});

describe('embedScript', () => {
  it('is small, valid JavaScript with both URLs embedded safely', () => {
    const js = embedScript({ formUrl: 'https://desk.test/forms/1', postUrl: 'https://desk.test/public/forms/1?x=</script>' });
    expect(js.length).toBeLessThan(2000);
    expect(() => new Function(js)).not.toThrow();
    expect(js).toContain('"https://desk.test/forms/1"');
    expect(js).not.toContain('</script>');
    expect(js).toContain("fetch(P,{method:'POST'");
  });
});
