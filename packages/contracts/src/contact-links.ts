import { z } from 'zod';
import { IdentityKind } from './enums';

/** Link an identity (email address, X user, Facebook/Instagram user) to a contact. */
export const LinkIdentityRequest = z.object({ kind: IdentityKind, value: z.string().trim().min(1).max(320) }).strict();
export type LinkIdentityRequest = z.infer<typeof LinkIdentityRequest>;

export const MergeContactsRequest = z.object({ otherContactId: z.uuid(), reason: z.string().trim().min(1).max(1000) }).strict();
export type MergeContactsRequest = z.infer<typeof MergeContactsRequest>;

export const UnmergeContactsRequest = z.object({ mergedContactId: z.uuid(), reason: z.string().trim().min(1).max(1000) }).strict();
export type UnmergeContactsRequest = z.infer<typeof UnmergeContactsRequest>;

/** What a merge moved (kept in the audit event, so the unmerge puts back exactly this). */
export const MergeResult = z.object({
  contactId: z.uuid(),
  mergedContactId: z.uuid(),
  threadIds: z.array(z.uuid()),
  messageIds: z.array(z.uuid()),
  identityIds: z.array(z.uuid()),
});
export type MergeResult = z.infer<typeof MergeResult>;

export const MergeSuggestion = z.object({
  contactId: z.uuid(),
  name: z.string().nullable(),
  primaryEmail: z.string().nullable(),
  /** `identity`: an identical normalized identity value; `name-and-domain`: same name and email domain. */
  reasons: z.array(z.enum(['identity', 'name-and-domain'])),
});
export type MergeSuggestion = z.infer<typeof MergeSuggestion>;
