import { z } from 'zod';
import { ChannelKind, MessageDirection } from './enums';
import { Contact, ThreadSummary } from './threads';

/** One search box: threads by number, customers by name/address/handle, messages by words. */
export const SearchQuery = z.object({
  q: z.string().trim().min(1).max(200),
  limit: z.coerce.number().int().min(1).max(20).default(20),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

/**
 * `highlight` is plain text: the matched words are wrapped in «…» (never HTML). Clients split on
 * the markers and render the marked parts as text inside <mark>.
 */
export const MessageHit = z.object({
  messageId: z.uuid(),
  threadId: z.uuid(),
  threadNumber: z.number().int(),
  threadSubject: z.string().nullable(),
  direction: MessageDirection,
  channel: ChannelKind,
  highlight: z.string(),
  rank: z.number(),
  createdAt: z.iso.datetime(),
});
export type MessageHit = z.infer<typeof MessageHit>;

export const SearchResults = z.object({
  threads: z.array(ThreadSummary),
  contacts: z.array(Contact),
  messages: z.array(MessageHit),
});
export type SearchResults = z.infer<typeof SearchResults>;

export const HIGHLIGHT_START = '«';
export const HIGHLIGHT_STOP = '»';
