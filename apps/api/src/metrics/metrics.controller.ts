import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Inject, Req, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { APP_CONFIG, AuthService, SESSION_COOKIE, type AppConfig } from '@desk/core';
import { Public } from '../auth/access.decorators';
import { MetricsService } from './metrics.service';

/**
 * Scrapers cannot hold a session, so /metrics takes `Authorization: Bearer <METRICS_TOKEN>`, or an
 * admin's session for a person looking. It is @Public() to the guard because it checks both itself.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Req() req: Request): Promise<string> {
    if (!(await this.allowed(req))) throw new UnauthorizedException('metrics need a bearer token or an admin session');
    req.res?.setHeader('Content-Type', this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }

  private async allowed(req: Request): Promise<boolean> {
    const token = this.config.METRICS_TOKEN;
    const header = req.get('authorization') ?? '';
    if (token && header.startsWith('Bearer ')) {
      const given = Buffer.from(header.slice(7));
      const want = Buffer.from(token);
      if (given.length === want.length && timingSafeEqual(given, want)) return true;
    }
    const principal = await this.auth.authenticate(req.cookies?.[SESSION_COOKIE] as string | undefined);
    return principal?.agent.role === 'admin';
  }
}
