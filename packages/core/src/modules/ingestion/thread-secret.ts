import { hkdfSync } from 'node:crypto';

/**
 * The key that signs email thread tokens (`support+<n>.<sig>@...`) and body markers, derived from
 * APP_SECRET with HKDF-SHA256 so APP_SECRET itself never signs anything customers can see and a
 * leaked token key does not reveal the session/cookie secret. Salt and info are fixed and
 * versioned: changing them invalidates every reply address already sent, so don't.
 * Inbound (verify) and outbound (sign) MUST both use this function.
 */
export function deriveThreadSecret(appSecret: string): string {
  if (!appSecret) throw new Error('APP_SECRET must not be empty');
  return Buffer.from(hkdfSync('sha256', appSecret, 'desk/email', 'thread-token-and-marker/v1', 32)).toString('hex');
}
