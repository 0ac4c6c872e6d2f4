import { mergeSettings, settingsView } from './inbox-settings';

const imap = { host: 'imap.acme.test', port: 993, user: 'support', password: 's3cret', mailbox: 'INBOX' };
const x = { userId: '42', consumerSecret: 'cs', oauth1: { consumerKey: 'ck', consumerSecret: 'cs1', accessToken: 'at', accessTokenSecret: 'ats' }, pollMentions: true };

describe('settingsView', () => {
  it('never carries a secret value, only whether it is set', () => {
    const view = settingsView('id', 'email', { imap, survey: false });
    expect(view.values).toEqual({ imap: { host: 'imap.acme.test', port: 993, user: 'support', mailbox: 'INBOX' }, survey: false });
    expect(view.secrets).toEqual({ 'imap.password': true, webhookSecret: false });
    expect(JSON.stringify(settingsView('id', 'x', x))).not.toMatch(/"(cs|ck|cs1|at|ats)"/);
    expect(settingsView('id', 'x', x).values).toEqual({ userId: '42', pollMentions: true });
  });
});

describe('mergeSettings', () => {
  it('keeps a stored secret that is not given, replaces one that is, removes one set to null', () => {
    const kept = mergeSettings('email', { imap }, { values: { imap: { ...imap, password: undefined, host: 'mail.acme.test' } }, secrets: {} });
    expect(kept).toEqual({ ok: true, settings: { imap: { ...imap, host: 'mail.acme.test' } } });
    const replaced = mergeSettings('email', { imap }, { values: { imap: { host: 'h', user: 'u' } }, secrets: { 'imap.password': 'new', webhookSecret: 'w' } });
    expect(replaced).toEqual({ ok: true, settings: { imap: { host: 'h', user: 'u', password: 'new' }, webhookSecret: 'w' } });
    const cleared = mergeSettings('x', x, { values: { userId: '42' }, secrets: { 'oauth1.consumerKey': null, 'oauth1.consumerSecret': null, 'oauth1.accessToken': null, 'oauth1.accessTokenSecret': null } });
    expect(cleared).toEqual({ ok: true, settings: { userId: '42', consumerSecret: 'cs' } });
  });

  it('names the failing field with the schemas the adapters read', () => {
    expect(mergeSettings('email', {}, { values: { imap: { host: 'h', user: 'u' } }, secrets: {} })).toEqual({
      ok: false,
      fields: [expect.objectContaining({ path: 'values.imap.password' })],
    });
    expect(mergeSettings('email', {}, { values: { imap: { ...imap, password: 'p' } }, secrets: {} })).toEqual({
      ok: false,
      fields: [{ path: 'values.imap.password', message: 'a secret is written through `secrets`' }],
    });
    expect(mergeSettings('facebook', {}, { values: {}, secrets: { password: 'x' } })).toEqual({ ok: false, fields: [{ path: 'secrets.password', message: 'not a secret of a facebook inbox' }] });
    const meta = mergeSettings('facebook', { appSecret: 'a', verifyToken: 'v' }, { values: { pageId: '1' }, secrets: {} });
    expect(meta.ok === false && meta.fields.map((f) => f.path)).toEqual(['values.pageAccessToken']);
    const form = mergeSettings('webform', {}, { values: { allowedOrigins: ['https://www.acme.test', 'acme.test/path'], fields: [{ name: 'Bad Name', label: 'x', type: 'text', required: false }] }, secrets: {} });
    expect(form.ok === false && form.fields.map((f) => f.path)).toEqual(['values.fields', 'values.allowedOrigins.1']);
  });
});
