/** Longest public reply (tweet) X accepts, in weighted characters. */
export const X_PUBLIC_LIMIT = 280;
/** Longest direct message X accepts. */
export const X_DM_LIMIT = 10_000;
/** Every URL counts as a t.co link of this length, whatever its own length. */
export const X_URL_LENGTH = 23;

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+/gi;

/**
 * Approximation of X's weighted tweet length: every http(s) URL counts 23, every other Unicode
 * code point counts 1. X's own counter (twitter-text) also weighs CJK and most emoji as 2 and
 * detects bare domains as URLs; we accept that gap (the API still refuses an over-long tweet,
 * which then fails as a permanent send error) rather than ship its full rule tables.
 */
export function xWeightedLength(text: string): number {
  let urls = 0;
  const rest = text.normalize('NFC').replace(URL_PATTERN, () => {
    urls += 1;
    return '';
  });
  return urls * X_URL_LENGTH + [...rest].length;
}
