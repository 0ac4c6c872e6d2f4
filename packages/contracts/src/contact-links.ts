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

/** The answer to a link: `created` is false when the contact already had the identity. */
export const LinkedIdentity = z.object({
  id: z.uuid(),
  contactId: z.uuid(),
  kind: IdentityKind,
  value: z.string(),
  normalizedValue: z.string(),
  created: z.boolean(),
});
export type LinkedIdentity = z.infer<typeof LinkedIdentity>;

/** The 409 of a link: another contact owns the identity, so merging that contact is the way on. */
export const IdentityConflict = z.object({
  statusCode: z.literal(409),
  message: z.string(),
  ownerContactId: z.uuid().nullable(),
  suggestion: z.literal('merge'),
});
export type IdentityConflict = z.infer<typeof IdentityConflict>;

/** Email addresses the customer wrote in a thread that are not yet identities of its contact. */
export const EmailSuggestions = z.object({ addresses: z.array(z.string()) });
export type EmailSuggestions = z.infer<typeof EmailSuggestions>;

/** A merge into a contact that is still in effect (undone ones are not listed), newest first. */
export const ContactMerge = z.object({
  mergedContactId: z.uuid(),
  name: z.string().nullable(),
  primaryEmail: z.string().nullable(),
  reason: z.string().nullable(),
  mergedBy: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  mergedAt: z.iso.datetime(),
  threadCount: z.number().int(),
  identityCount: z.number().int(),
});
export type ContactMerge = z.infer<typeof ContactMerge>;
