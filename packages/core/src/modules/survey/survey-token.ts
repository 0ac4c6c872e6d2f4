import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Survey links carry `<payload>.<mac>` in base64url: the thread id (16 bytes) and the expiry
 * (unix seconds, 4 bytes), signed with HMAC-SHA256 (truncated to 16 bytes) under a key derived
 * from APP_SECRET by HKDF, separate from the thread-token key (see ingestion/thread-secret.ts).
 */
export function deriveSurveyKey(appSecret: string): Buffer {
  if (!appSecret) throw new Error('APP_SECRET must not be empty');
  return Buffer.from(hkdfSync('sha256', appSecret, 'desk/survey', 'satisfaction-survey-link/v1', 32));
}

const MAC_BYTES = 16;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const mac = (key: Buffer, payload: Buffer) => createHmac('sha256', key).update(payload).digest().subarray(0, MAC_BYTES);

export function signSurveyToken(key: Buffer, threadId: string, expiresAt: Date): string {
  if (!UUID.test(threadId)) throw new Error('threadId must be a uuid');
  const payload = Buffer.alloc(20);
  Buffer.from(threadId.replace(/-/g, ''), 'hex').copy(payload, 0);
  payload.writeUInt32BE(Math.floor(expiresAt.getTime() / 1000), 16);
  return `${payload.toString('base64url')}.${mac(key, payload).toString('base64url')}`;
}

export type SurveyTokenCheck = { ok: true; threadId: string; expiresAt: Date } | { ok: false; reason: 'forged' | 'expired' };

export function verifySurveyToken(key: Buffer, token: string, now = new Date()): SurveyTokenCheck {
  const [p, m, extra] = token.split('.');
  if (!p || !m || extra !== undefined || !/^[A-Za-z0-9_-]+$/.test(p) || !/^[A-Za-z0-9_-]+$/.test(m)) return { ok: false, reason: 'forged' };
  const payload = Buffer.from(p, 'base64url');
  const given = Buffer.from(m, 'base64url');
  if (payload.length !== 20 || given.length !== MAC_BYTES || !timingSafeEqual(given, mac(key, payload))) return { ok: false, reason: 'forged' };
  const hex = payload.subarray(0, 16).toString('hex');
  const threadId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const expiresAt = new Date(payload.readUInt32BE(16) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, threadId, expiresAt };
}
