import { Controller, Headers, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { InboundAccepted } from '@desk/contracts';
import { InboundEventsService } from '@desk/core';
import { Public } from '../auth/access.decorators';

/**
 * Raw-MIME webhook for providers that forward inbound mail over HTTP. The body is the RFC 822
 * message itself (parsed as raw bytes by app.factory), signed with the inbox's
 * settings.webhookSecret: `X-Desk-Signature: sha256=<hex HMAC-SHA256 of the body>`.
 */
@ApiTags('webhooks')
@Controller('webhooks/email')
export class EmailWebhookController {
  constructor(private readonly events: InboundEventsService) {}

  @Public()
  @Post(':inboxId')
  @HttpCode(202)
  receive(
    @Param('inboxId', ParseUUIDPipe) inboxId: string,
    @Req() req: Request,
    @Headers('x-desk-signature') signature: string | undefined,
  ): Promise<InboundAccepted> {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    return this.events.acceptEmailWebhook(inboxId, raw, signature, { webhook: true, remoteAddress: req.ip ?? null });
  }
}
