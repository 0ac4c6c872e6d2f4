import { randomBytes } from 'node:crypto';

// X's epoch (2010-11-04): snowflake ids are (ms since epoch) << 22 | sequence.
const X_EPOCH = 1288834974657n;
let sequence = 0n;

/** A 64-bit snowflake-like id as X and Instagram use, increasing within the process. */
export function snowflake(now: number = Date.now()): string {
  sequence = (sequence + 1n) & 0x3fffffn;
  return String(((BigInt(now) - X_EPOCH) << 22n) | sequence);
}

/** A numeric Graph object id (15-17 digits). */
export function graphId(): string {
  return String(100_000_000_000_000n + BigInt(randomBytes(6).readUIntBE(0, 6)));
}

/** A Messenger/Instagram message id (`m_` + base64url), like the Send API returns. */
export function messageId(prefix = 'm_'): string {
  return prefix + randomBytes(24).toString('base64url');
}
