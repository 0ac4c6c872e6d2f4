import { z } from 'zod';
import { AgentRole, Availability } from './enums';

export const LoginRequest = z.object({
  email: z.email().max(320),
  password: z.string().min(1).max(1000),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const AgentSummary = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  role: AgentRole,
  availability: Availability,
});
export type AgentSummary = z.infer<typeof AgentSummary>;

export const Me = AgentSummary.extend({
  capacity: z.number().int(),
  teamIds: z.array(z.uuid()),
});
export type Me = z.infer<typeof Me>;

export const Agent = AgentSummary.extend({
  capacity: z.number().int(),
  isActive: z.boolean(),
  teamIds: z.array(z.uuid()),
  createdAt: z.iso.datetime(),
});
export type Agent = z.infer<typeof Agent>;

export const CreateAgentRequest = z.object({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(200),
  role: AgentRole.default('agent'),
  password: z.string().min(12, 'password must be at least 12 characters').max(1000),
  capacity: z.number().int().min(0).max(1000).default(10),
  teamIds: z.array(z.uuid()).default([]),
});
export type CreateAgentRequest = z.infer<typeof CreateAgentRequest>;

export const UpdateAvailabilityRequest = z.object({ availability: Availability });
export type UpdateAvailabilityRequest = z.infer<typeof UpdateAvailabilityRequest>;

export const Team = z.object({ id: z.uuid(), name: z.string(), memberIds: z.array(z.uuid()) });
export type Team = z.infer<typeof Team>;

/** An admin's change to an agent: capacity, role and team membership; absent keys stay as they are. */
export const UpdateAgentRequest = z.object({
  capacity: z.number().int().min(0).max(1000).optional(),
  role: AgentRole.optional(),
  teamIds: z.array(z.uuid()).max(200).optional(),
});
export type UpdateAgentRequest = z.infer<typeof UpdateAgentRequest>;

export const CreateTeamRequest = z.object({ name: z.string().trim().min(1).max(200) });
export type CreateTeamRequest = z.infer<typeof CreateTeamRequest>;
