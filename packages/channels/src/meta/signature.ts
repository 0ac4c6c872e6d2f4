import { constantTimeEqual, verifySha256Header } from '../social/signature';

export const META_SIGNATURE_HEADER = 'x-hub-signature-256';

/**
 * The subscription handshake (`GET ?hub.mode=subscribe&hub.verify_token=...&hub.challenge=...`):
 * returns the challenge to echo back when the verify token is ours, else null (answer 403).
 * Accepts a parsed query object with dotted keys, or URLSearchParams.
 */
export function metaVerifyChallenge(query: URLSearchParams | Record<string, unknown>, verifyToken: string): string | null {
  const get = (key: string): unknown => (query instanceof URLSearchParams ? query.get(key) : query[key]);
  const mode = get('hub.mode');
  const token = get('hub.verify_token');
  const challenge = get('hub.challenge');
  if (mode !== 'subscribe' || typeof token !== 'string' || typeof challenge !== 'string' || verifyToken === '') return null;
  return constantTimeEqual(token, verifyToken) ? challenge : null;
}

/** Checks `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>` in constant time. */
export function verifyMetaSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  return verifySha256Header(rawBody, header, appSecret, 'hex');
}
