import { Controller, Get, Header, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { SocialWebhooksService, type SocialWebhookResult } from '@desk/core';
import { Public } from '../auth/access.decorators';

const metaOf = (req: Request) => ({ webhook: true, remoteAddress: req.ip ?? null });
const rawOf = (req: Request) => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));

/**
 * X Account Activity webhook of one X inbox. GET answers the CRC challenge; POST is checked against
 * `x-twitter-webhooks-signature` before anything is stored (401, nothing stored), then each event
 * is committed as an inbound event. The body arrives as raw bytes (app.factory).
 */
@ApiTags('webhooks')
@Controller('webhooks/x')
export class XWebhookController {
  constructor(private readonly webhooks: SocialWebhooksService) {}

  @Public()
  @Get(':inboxId')
  crc(@Param('inboxId', ParseUUIDPipe) inboxId: string, @Query('crc_token') crcToken: string | undefined): Promise<{ response_token: string }> {
    return this.webhooks.xCrc(inboxId, crcToken);
  }

  @Public()
  @Post(':inboxId')
  @HttpCode(200)
  receive(
    @Param('inboxId', ParseUUIDPipe) inboxId: string,
    @Req() req: Request,
    @Headers('x-twitter-webhooks-signature') signature: string | undefined,
  ): Promise<SocialWebhookResult> {
    return this.webhooks.acceptX(inboxId, rawOf(req), signature, metaOf(req));
  }
}

/**
 * Meta webhook (Facebook Page and Instagram) of one inbox. GET is the `hub.mode=subscribe`
 * handshake with the inbox's verify token; POST is checked against `X-Hub-Signature-256` first.
 */
@ApiTags('webhooks')
@Controller('webhooks/meta')
export class MetaWebhookController {
  constructor(private readonly webhooks: SocialWebhooksService) {}

  @Public()
  @Get(':inboxId')
  @Header('content-type', 'text/plain')
  verify(@Param('inboxId', ParseUUIDPipe) inboxId: string, @Query() query: Record<string, unknown>): Promise<string> {
    return this.webhooks.metaChallenge(inboxId, query);
  }

  @Public()
  @Post(':inboxId')
  @HttpCode(200)
  receive(
    @Param('inboxId', ParseUUIDPipe) inboxId: string,
    @Req() req: Request,
    @Headers('x-hub-signature-256') signature: string | undefined,
  ): Promise<SocialWebhookResult> {
    return this.webhooks.acceptMeta(inboxId, rawOf(req), signature, metaOf(req));
  }
}
