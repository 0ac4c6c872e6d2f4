import type { Me } from '@desk/contracts';
import { toAgentDto, type Agent, type SessionPrincipal, type Viewer } from '@desk/core';

/** The signed-in agent as the console sees itself: the agent dto without admin-only fields. */
export function toMe(a: Agent): Me {
  const { isActive: _active, createdAt: _created, ...me } = toAgentDto(a);
  return me;
}

export function viewerOf(s: SessionPrincipal): Viewer {
  return { id: s.agent.id, role: s.agent.role, teamIds: (s.agent.teams ?? []).map((t) => t.id) };
}
