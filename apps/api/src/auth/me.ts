import type { Me } from '@desk/contracts';
import type { Agent, SessionPrincipal, Viewer } from '@desk/core';

export function toMe(a: Agent): Me {
  return {
    id: a.id,
    name: a.name,
    email: a.email,
    role: a.role,
    availability: a.availability,
    capacity: a.capacity,
    teamIds: (a.teams ?? []).map((t) => t.id),
  };
}

export function viewerOf(s: SessionPrincipal): Viewer {
  return { id: s.agent.id, role: s.agent.role, teamIds: (s.agent.teams ?? []).map((t) => t.id) };
}
