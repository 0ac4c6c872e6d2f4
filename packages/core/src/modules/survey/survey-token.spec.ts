import { deriveSurveyKey, signSurveyToken, verifySurveyToken } from './survey-token';

describe('survey tokens', () => {
  const key = deriveSurveyKey('x'.repeat(32));
  const threadId = '0b7c2a3e-1f4d-4c5b-9a8e-7d6c5b4a3f21';
  const now = new Date('2026-01-01T00:00:00Z');
  const exp = new Date('2026-01-31T00:00:00Z');

  it('round-trips the thread id and expiry', () => {
    const t = signSurveyToken(key, threadId, exp);
    expect(verifySurveyToken(key, t, now)).toEqual({ ok: true, threadId, expiresAt: exp });
  });

  it('refuses a changed payload, another key, junk and an expired token', () => {
    const t = signSurveyToken(key, threadId, exp);
    const other = signSurveyToken(key, '1b7c2a3e-1f4d-4c5b-9a8e-7d6c5b4a3f21', exp);
    expect(verifySurveyToken(key, `${other.split('.')[0]}.${t.split('.')[1]}`, now)).toEqual({ ok: false, reason: 'forged' });
    expect(verifySurveyToken(deriveSurveyKey('y'.repeat(32)), t, now)).toEqual({ ok: false, reason: 'forged' });
    for (const junk of ['', 'abc', 'a.b.c', `${t}x`, t.replace('.', '')]) expect(verifySurveyToken(key, junk, now).ok).toBe(false);
    expect(verifySurveyToken(key, t, new Date('2026-02-01T00:00:00Z'))).toEqual({ ok: false, reason: 'expired' });
  });
});
