import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AgentRole } from '@desk/contracts';
import type { SessionPrincipal } from '@desk/core';

export const IS_PUBLIC = 'desk:isPublic';
export const MIN_ROLE = 'desk:minRole';

/** Reachable without a session: login, health, and the public channel endpoints. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The least role that may call the route; roles rank agent < supervisor < admin. */
export const MinRole = (role: AgentRole) => SetMetadata(MIN_ROLE, role);

export const ROLE_RANK: Record<AgentRole, number> = { agent: 1, supervisor: 2, admin: 3 };

export const CurrentSession = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): SessionPrincipal => ctx.switchToHttp().getRequest<{ principal: SessionPrincipal }>().principal,
);
