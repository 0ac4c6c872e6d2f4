import { createHash } from 'node:crypto';
import { BadRequestException, ForbiddenException, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  metaVerifyChallenge,
  socialIdempotencyKey,
  splitMetaWebhook,
  splitXWebhook,
  verifyMetaSignature,
  verifyXSignature,
  xCrcResponse,
  xIdempotencyKey,
} from '@desk/channels';
import type { ChannelKind } from '@desk/contracts';
import { MetaInboxSettings, XInboxSettings } from '../channels/social-channels';
import { IngestionService } from './ingestion.service';

export interface SocialWebhookResult {
  accepted: number;
  duplicates: number;
}

type InboxRow = { id: string; channel: ChannelKind; settings: Record<string, unknown> };

const bodyHash = (raw: Buffer) => `sha256:${createHash('sha256').update(raw).digest('hex')}`;

/**
 * The doors of the X Account Activity and Meta webhooks. A POST is checked against the inbox's
 * secret in constant time BEFORE anything is stored (401, nothing stored), then split into single
 * events, each committed through IngestionService.accept under `<inbox>:<channel>:<id>`, the key the
 * X mentions poller uses too, so a tweet seen by both paths is one event. Our own account's events
 * are dropped here, where the inbox settings are known.
 */
@Injectable()
export class SocialWebhooksService {
  constructor(
    private readonly ds: DataSource,
    private readonly ingestion: IngestionService,
  ) {}

  async xCrc(inboxId: string, crcToken: string | undefined): Promise<{ response_token: string }> {
    if (!crcToken) throw new BadRequestException('crc_token: required');
    const s = await this.xSettings(inboxId);
    return xCrcResponse(crcToken, s.consumerSecret);
  }

  async acceptX(inboxId: string, raw: Buffer, signature: string | undefined, meta: Record<string, unknown>): Promise<SocialWebhookResult> {
    const s = await this.xSettings(inboxId);
    if (!verifyXSignature(raw, signature, s.consumerSecret)) throw new UnauthorizedException('invalid or missing x-twitter-webhooks-signature');
    const body = this.json(raw);
    const events = splitXWebhook(body, { ownUserId: s.userId });
    return this.acceptAll(
      events.map((e) => ({
        source: 'x' as const,
        key: xIdempotencyKey(inboxId, e.externalId ?? bodyHash(Buffer.from(JSON.stringify(e.payload)))),
        payload: e.payload,
      })),
      inboxId,
      meta,
    );
  }

  async metaChallenge(inboxId: string, query: Record<string, unknown>): Promise<string> {
    const s = await this.metaSettings(inboxId);
    const challenge = metaVerifyChallenge(query, s.verifyToken);
    if (challenge === null) throw new ForbiddenException('hub.verify_token does not match');
    return challenge;
  }

  async acceptMeta(inboxId: string, raw: Buffer, signature: string | undefined, meta: Record<string, unknown>): Promise<SocialWebhookResult> {
    const s = await this.metaSettings(inboxId);
    if (!verifyMetaSignature(raw, signature, s.appSecret)) throw new UnauthorizedException('invalid or missing X-Hub-Signature-256');
    const body = this.json(raw) as { object?: unknown };
    const source: ChannelKind | null = body.object === 'page' ? 'facebook' : body.object === 'instagram' ? 'instagram' : null;
    if (!source) return { accepted: 0, duplicates: 0 };
    const ownIds = [s.pageId, s.igUserId].filter((x): x is string => !!x);
    const events = splitMetaWebhook(body, { ownIds });
    return this.acceptAll(
      events.map((e) => ({
        source,
        key: socialIdempotencyKey(inboxId, source, e.externalId ?? bodyHash(Buffer.from(JSON.stringify(e.payload)))),
        payload: e.payload,
      })),
      inboxId,
      meta,
    );
  }

  private async acceptAll(
    events: Array<{ source: ChannelKind; key: string; payload: unknown }>,
    inboxId: string,
    meta: Record<string, unknown>,
  ): Promise<SocialWebhookResult> {
    const result = { accepted: 0, duplicates: 0 };
    for (const e of events) {
      const r = await this.ingestion.accept({
        source: e.source,
        inboxId,
        idempotencyKey: e.key,
        payload: Buffer.from(JSON.stringify(e.payload)),
        contentType: 'application/json',
        meta,
      });
      if (r.duplicate) result.duplicates++;
      else result.accepted++;
    }
    return result;
  }

  private json(raw: Buffer): unknown {
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch {
      throw new BadRequestException('body: not JSON');
    }
  }

  private async inbox(inboxId: string, channels: ChannelKind[]): Promise<InboxRow> {
    const [row]: InboxRow[] = await this.ds.query(`SELECT id, channel, settings FROM inboxes WHERE id = $1 AND is_active AND channel = ANY($2)`, [
      inboxId,
      channels,
    ]);
    if (!row) throw new NotFoundException('inbox not found');
    return row;
  }

  private async xSettings(inboxId: string): Promise<XInboxSettings> {
    const parsed = XInboxSettings.safeParse((await this.inbox(inboxId, ['x'])).settings);
    if (!parsed.success) throw new NotFoundException('inbox not found');
    return parsed.data;
  }

  private async metaSettings(inboxId: string): Promise<MetaInboxSettings> {
    const parsed = MetaInboxSettings.safeParse((await this.inbox(inboxId, ['facebook', 'instagram'])).settings);
    if (!parsed.success) throw new NotFoundException('inbox not found');
    return parsed.data;
  }
}
