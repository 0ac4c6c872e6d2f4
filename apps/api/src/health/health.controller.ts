import { Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { HealthStatus } from '@desk/contracts';
import { Public } from '../auth/access.decorators';
import { HealthService } from './health.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** 200 when Postgres and Redis answer, 503 otherwise (load balancers take the node out). */
  @Public()
  @Get()
  async get(@Res({ passthrough: true }) res: Response): Promise<HealthStatus> {
    const h = await this.health.check();
    res.status(h.status === 'ok' ? 200 : 503);
    return h;
  }
}
