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
