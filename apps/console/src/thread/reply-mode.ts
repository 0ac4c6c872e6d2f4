import { SOCIAL_REPLY_MODES, type ChannelKind, type Message, type SocialReplyModes } from '@desk/contracts';

/**
 * What a reply on a social thread can be, from the thread's inbound messages, mirroring the
 * server (outbox writeSocialReply): a public reply needs a public inbound message to answer; a
 * private one needs a private inbound message, or on X any inbound message (a DM to its author).
 * The default is the visibility of the latest inbound message, as on the server.
 */
export interface SocialReplyChoice {
  modes: SocialReplyModes;
  canPublic: boolean;
  canPrivate: boolean;
  defaultPublic: boolean;
  /** false while the messages are unknown: the server then picks, and the stricter public limit is shown. */
  known: boolean;
}

export function socialReplyChoice(channel: ChannelKind, messages: Message[] | undefined): SocialReplyChoice | null {
  const modes = SOCIAL_REPLY_MODES[channel];
  if (!modes) return null;
  const inbound = (messages ?? []).filter((m) => m.direction === 'inbound' && m.channel === channel);
  const latest = inbound.reduce<Message | null>((a, m) => (!a || m.createdAt > a.createdAt ? m : a), null);
  if (!latest) return { modes, canPublic: true, canPrivate: modes.privateToSender, defaultPublic: true, known: false };
  return {
    modes,
    canPublic: inbound.some((m) => m.isPublic),
    canPrivate: inbound.some((m) => !m.isPublic) || modes.privateToSender,
    defaultPublic: latest.isPublic,
    known: true,
  };
}
