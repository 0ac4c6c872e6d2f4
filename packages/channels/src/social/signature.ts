import { createHmac, timingSafeEqual } from 'node:crypto';

export function hmacSha256(secret: string, data: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(data).digest();
}

/**
 * Constant-time comparison of two strings. Unequal lengths answer false at once: the length of a
 * signature of a known algorithm is public, so this leaks nothing.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}

/**
 * Checks a `sha256=<digest>` signature header of `rawBody` against the secret. `encoding` is the
 * network's digest encoding (X: base64, Meta: hex). Missing, malformed or wrong headers answer false.
 */
export function verifySha256Header(rawBody: Buffer, header: string | undefined, secret: string, encoding: 'base64' | 'hex'): boolean {
  if (typeof header !== 'string' || secret === '') return false;
  const trimmed = header.trim();
  const prefix = 'sha256=';
  if (trimmed.slice(0, prefix.length).toLowerCase() !== prefix) return false;
  let given = trimmed.slice(prefix.length);
  if (given === '') return false;
  if (encoding === 'hex') {
    if (!/^[0-9a-fA-F]+$/.test(given)) return false;
    given = given.toLowerCase();
  } else if (!/^[A-Za-z0-9+/]+={0,2}$/.test(given)) {
    return false;
  }
  const expected = hmacSha256(secret, rawBody).toString(encoding);
  return constantTimeEqual(given, expected);
}
