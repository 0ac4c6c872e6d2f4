import { z } from 'zod';
import { AssignmentMode, ChannelKind } from './enums';

export const Inbox = z.object({
  id: z.uuid(),
  name: z.string(),
  channel: ChannelKind,
  address: z.string().nullable(),
  teamId: z.uuid().nullable(),
  assignmentMode: AssignmentMode,
  autoAckEnabled: z.boolean(),
  /** null: the server's DEFAULT_ACK_TEMPLATE. Optional so older answers still parse. */
  ackTemplate: z.string().nullable().optional(),
  isActive: z.boolean(),
});
export type Inbox = z.infer<typeof Inbox>;

export const CreateInboxRequest = z.object({
  name: z.string().trim().min(1).max(200),
  channel: ChannelKind,
  address: z.string().trim().max(320).nullable().default(null),
  teamId: z.uuid().nullable().default(null),
  assignmentMode: AssignmentMode.default('manual'),
  autoAckEnabled: z.boolean().optional(),
  settings: z.record(z.string(), z.unknown()).default({}),
});
export type CreateInboxRequest = z.infer<typeof CreateInboxRequest>;

/** An admin's change to an inbox's routing and acknowledgement; absent keys stay as they are. */
export const UpdateInboxRequest = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  address: z.string().trim().max(320).nullable().optional(),
  teamId: z.uuid().nullable().optional(),
  assignmentMode: AssignmentMode.optional(),
  autoAckEnabled: z.boolean().optional(),
  /** Empty or null: back to the default template. */
  ackTemplate: z.string().max(5000).nullable().optional(),
  isActive: z.boolean().optional(),
});
export type UpdateInboxRequest = z.infer<typeof UpdateInboxRequest>;

/**
 * The placeholders the automatic acknowledgement fills (core `renderAckTemplate`); a spec in core
 * fails if the two drift apart. Any other `{{…}}` text is sent as written.
 */
export const ACK_PLACEHOLDERS = ['name', 'number', 'promise', 'inbox'] as const;
export type AckPlaceholder = (typeof ACK_PLACEHOLDERS)[number];

/** Used when an inbox has no template of its own; core's DEFAULT_ACK_TEMPLATE is checked against it. */
export const DEFAULT_ACK_TEMPLATE =
  'Hello {{name}},\n\nthanks for writing to us. Your request is #{{number}}. We will answer {{promise}}.\n\n— {{inbox}}';

/**
 * Settings keys (dotted paths) that hold credentials, per channel. The api never sends their
 * values to the console: it says only whether each is set, and takes new values write-only.
 */
export const INBOX_SECRET_PATHS: Record<ChannelKind, readonly string[]> = {
  email: ['imap.password', 'webhookSecret'],
  webform: [],
  x: ['consumerSecret', 'bearerToken', 'oauth1.consumerKey', 'oauth1.consumerSecret', 'oauth1.accessToken', 'oauth1.accessTokenSecret'],
  facebook: ['appSecret', 'verifyToken', 'pageAccessToken'],
  instagram: ['appSecret', 'verifyToken', 'pageAccessToken'],
};

/** An inbox's channel setup as an admin sees it: everything but the secrets, and which secrets are set. */
export const InboxSettingsView = z.object({
  inboxId: z.uuid(),
  channel: ChannelKind,
  values: z.record(z.string(), z.unknown()),
  secrets: z.record(z.string(), z.boolean()),
});
export type InboxSettingsView = z.infer<typeof InboxSettingsView>;

/**
 * Replaces the non-secret settings with `values`. `secrets` maps a secret's path to its new value,
 * or null to remove it; a secret left out keeps its stored value.
 */
export const UpdateInboxSettingsRequest = z.object({
  values: z.record(z.string(), z.unknown()),
  secrets: z.record(z.string(), z.string().min(1).max(10_000).nullable()).default({}),
});
export type UpdateInboxSettingsRequest = z.infer<typeof UpdateInboxSettingsRequest>;
