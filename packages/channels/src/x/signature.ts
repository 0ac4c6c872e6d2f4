import { hmacSha256, verifySha256Header } from '../social/signature';

/**
 * Answer to the Account Activity CRC check (`GET ?crc_token=`): X proves we hold the consumer
 * secret by asking for the token's HMAC-SHA256, base64, prefixed with `sha256=`.
 */
export function xCrcResponse(crcToken: string, consumerSecret: string): { response_token: string } {
  return { response_token: `sha256=${hmacSha256(consumerSecret, crcToken).toString('base64')}` };
}

/** Checks `x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(consumer secret, raw body)>` in constant time. */
export function verifyXSignature(rawBody: Buffer, header: string | undefined, consumerSecret: string): boolean {
  return verifySha256Header(rawBody, header, consumerSecret, 'base64');
}

export const X_SIGNATURE_HEADER = 'x-twitter-webhooks-signature';
