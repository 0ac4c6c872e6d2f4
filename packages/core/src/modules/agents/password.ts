import argon2 from 'argon2';

/** argon2id with the library's defaults (memory-hard; OWASP-recommended parameters). */
export function hashPassword(plain: string): Promise<string> {
  return argon2.hash(plain, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, plain);
  } catch {
    return false;
  }
}

/** Verifying against this when the email is unknown keeps the timing of both failures alike. */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword('not-a-real-password-but-same-cost');
  return dummy;
}
