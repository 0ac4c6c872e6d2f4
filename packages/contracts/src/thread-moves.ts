import { z } from 'zod';
import { ThreadDetail } from './threads';

/**
 * Move messages of a thread into a NEW thread of the same contact (a split), e.g. when a customer
 * raised a second question in the same mail conversation. At least one message must stay behind.
 */
export const SplitThreadRequest = z
  .object({
    messageIds: z.array(z.uuid()).min(1).max(500),
    subject: z.string().trim().min(1).max(500).optional(),
    reason: z.string().trim().max(1000).optional(),
  })
  .strict();
export type SplitThreadRequest = z.infer<typeof SplitThreadRequest>;

/** Merge this thread (the source) into another thread of the same contact; the reason is audited. */
export const MergeThreadRequest = z.object({ targetThreadId: z.uuid(), reason: z.string().trim().min(1).max(1000) }).strict();
export type MergeThreadRequest = z.infer<typeof MergeThreadRequest>;

/** The answer to a split: the new thread and what moved there. */
export const SplitThreadResult = z.object({
  sourceThread: ThreadDetail,
  newThread: ThreadDetail,
  movedMessageIds: z.array(z.uuid()),
});
export type SplitThreadResult = z.infer<typeof SplitThreadResult>;

/** The answer to a merge: the target with the source's messages, and the resolved, merged-away source. */
export const MergeThreadResult = z.object({
  sourceThread: ThreadDetail,
  targetThread: ThreadDetail,
  movedMessageIds: z.array(z.uuid()),
});
export type MergeThreadResult = z.infer<typeof MergeThreadResult>;
