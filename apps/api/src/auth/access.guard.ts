import {
  ForbiddenException,
  Injectable,
  InternalServerErrorException,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { AgentRole } from '@desk/contracts';
import { AuthService, SESSION_COOKIE, type SessionPrincipal } from '@desk/core';
import { IS_PUBLIC, MIN_ROLE, ROLE_RANK } from './access.decorators';

/**
 * The one guard of every HTTP route. A route must say who may call it: @Public() or @MinRole(...).
 * A route that says neither is refused with 500 (and the route-policy test fails), so a new
 * endpoint can never be open by accident.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets);
    const minRole = this.reflector.getAllAndOverride<AgentRole>(MIN_ROLE, targets);
    if (isPublic) return true;
    if (!minRole) throw new InternalServerErrorException('route has no access policy');

    const req = ctx.switchToHttp().getRequest<Request & { principal?: SessionPrincipal }>();
    const principal = await this.auth.authenticate(req.cookies?.[SESSION_COOKIE] as string | undefined);
    if (!principal) throw new UnauthorizedException('sign in first');
    if (ROLE_RANK[principal.agent.role] < ROLE_RANK[minRole]) throw new ForbiddenException(`requires the ${minRole} role`);
    req.principal = principal;
    return true;
  }
}
