import { z } from 'zod';

// The domain's closed vocabularies. The database enums, the API and the console all use these.
export const ChannelKind = z.enum(['email', 'webform', 'x', 'facebook', 'instagram']);
export type ChannelKind = z.infer<typeof ChannelKind>;

export const AgentRole = z.enum(['agent', 'supervisor', 'admin']);
export type AgentRole = z.infer<typeof AgentRole>;

export const Availability = z.enum(['online', 'away', 'offline']);
export type Availability = z.infer<typeof Availability>;

export const ThreadStatus = z.enum(['open', 'pending', 'snoozed', 'resolved']);
export type ThreadStatus = z.infer<typeof ThreadStatus>;

export const Priority = z.enum(['low', 'normal', 'high', 'urgent']);
export type Priority = z.infer<typeof Priority>;

export const MessageDirection = z.enum(['inbound', 'outbound', 'note']);
export type MessageDirection = z.infer<typeof MessageDirection>;

export const DeliveryState = z.enum(['received', 'queued', 'sending', 'sent', 'delivered', 'failed']);
export type DeliveryState = z.infer<typeof DeliveryState>;

export const IdentityKind = z.enum(['email', 'x', 'facebook', 'instagram']);
export type IdentityKind = z.infer<typeof IdentityKind>;

export const InboundEventStatus = z.enum(['received', 'processing', 'processed', 'quarantined']);
export type InboundEventStatus = z.infer<typeof InboundEventStatus>;

export const AssignmentMode = z.enum(['manual', 'round_robin', 'least_loaded']);
export type AssignmentMode = z.infer<typeof AssignmentMode>;

export const SlaMetric = z.enum(['first_response', 'next_response', 'resolution']);
export type SlaMetric = z.infer<typeof SlaMetric>;

export const SlaClockStatus = z.enum(['running', 'paused', 'met', 'breached', 'cancelled']);
export type SlaClockStatus = z.infer<typeof SlaClockStatus>;
