import type { ChannelKind } from './enums';

/**
 * What an agent's reply may be on each social network, as data for the console's composer: the
 * public and the private way to answer, and the longest text the server accepts for each. The
 * numbers are the channel adapters' own (packages/channels); a test in packages/core
 * (delivery/reply-modes.spec.ts) fails when the two drift apart.
 */
export interface SocialReplyMode {
  label: string;
  /** Characters (Unicode code points; X public replies count each URL as 23). */
  limit: number;
}

export interface SocialReplyModes {
  network: string;
  public: SocialReplyMode;
  private: SocialReplyMode;
  /**
   * Whether a private reply can start from any inbound message (X: a DM to the author of a
   * mention). Facebook and Instagram need an earlier private message from the customer: a private
   * reply to a comment (their Private Replies API) is not supported by the server.
   */
  privateToSender: boolean;
}

export const SOCIAL_REPLY_MODES: Partial<Record<ChannelKind, SocialReplyModes>> = {
  x: {
    network: 'X',
    public: { label: 'Public reply', limit: 280 },
    private: { label: 'Direct message', limit: 10_000 },
    privateToSender: true,
  },
  facebook: {
    network: 'Facebook',
    public: { label: 'Public comment reply', limit: 8000 },
    private: { label: 'Private message', limit: 2000 },
    privateToSender: false,
  },
  instagram: {
    network: 'Instagram',
    public: { label: 'Public comment reply', limit: 2200 },
    private: { label: 'Private message', limit: 1000 },
    privateToSender: false,
  },
};

/** Every URL in an X public reply counts as a t.co link of this length. */
export const X_URL_LENGTH = 23;
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+/gi;

/**
 * The length the server measures against the limit: code points, and on X public replies each
 * http(s) URL counts 23 (the same approximation as the X adapter's xWeightedLength).
 */
export function replyTextLength(channel: ChannelKind, isPublic: boolean, text: string): number {
  if (channel === 'x' && isPublic) {
    let urls = 0;
    const rest = text.normalize('NFC').replace(URL_PATTERN, () => {
      urls += 1;
      return '';
    });
    return urls * X_URL_LENGTH + [...rest].length;
  }
  return [...text].length;
}
