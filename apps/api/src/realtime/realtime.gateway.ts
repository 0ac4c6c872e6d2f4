import { Inject, Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
} from '@nestjs/websockets';
import { parse as parseCookie } from 'cookie';
import type { Redis } from 'ioredis';
import type { Server, Socket } from 'socket.io';
import { ClientEvents } from '@desk/contracts';
import { APP_CONFIG, AuthService, REDIS, RealtimePublisher, Rooms, SESSION_COOKIE, redisKey, type AppConfig, type SessionPrincipal } from '@desk/core';

interface SocketData {
  principal: SessionPrincipal;
  viewing: Set<string>;
}

const PRESENCE_TTL_SECONDS = 120;

/**
 * Authenticates the handshake with the same session cookie as HTTP and joins the agent's rooms.
 * It never decides what happened in the domain: services publish, this only routes and tracks
 * presence (who views a thread, who types), kept in Redis so every api node sees it.
 */
@WebSocketGateway()
export class RealtimeGateway implements OnGatewayConnection, OnGatewayDisconnect {
  private readonly log = new Logger(RealtimeGateway.name);
  @WebSocketServer() server: Server;

  constructor(
    private readonly auth: AuthService,
    private readonly realtime: RealtimePublisher,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async handleConnection(socket: Socket): Promise<void> {
    const cookies = parseCookie(socket.handshake.headers.cookie ?? '');
    const principal = await this.auth.authenticate(cookies[SESSION_COOKIE]).catch(() => null);
    if (!principal) {
      socket.emit('error', { message: 'unauthorized' });
      socket.disconnect(true);
      return;
    }
    const data: SocketData = { principal, viewing: new Set() };
    socket.data = data;
    const a = principal.agent;
    const rooms = [Rooms.agent(a.id), Rooms.allAgents, ...(a.teams ?? []).map((t) => Rooms.team(t.id))];
    if (a.role !== 'agent') rooms.push(Rooms.supervisors);
    await socket.join(rooms);
    socket.emit('ready', { agentId: a.id, rooms });
  }

  async handleDisconnect(socket: Socket): Promise<void> {
    const data = socket.data as SocketData | undefined;
    if (!data?.principal) return;
    for (const threadId of data.viewing) await this.setPresence(threadId, data.principal, null);
  }

  @SubscribeMessage('thread.view')
  async view(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    const parsed = ClientEvents['thread.view'].safeParse(body);
    const data = socket.data as SocketData | undefined;
    if (!parsed.success || !data?.principal) return { ok: false };
    await socket.join(Rooms.thread(parsed.data.threadId));
    data.viewing.add(parsed.data.threadId);
    await this.setPresence(parsed.data.threadId, data.principal, { typing: false });
    return { ok: true };
  }

  @SubscribeMessage('thread.leave')
  async leave(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    const parsed = ClientEvents['thread.leave'].safeParse(body);
    const data = socket.data as SocketData | undefined;
    if (!parsed.success || !data?.principal) return { ok: false };
    await socket.leave(Rooms.thread(parsed.data.threadId));
    data.viewing.delete(parsed.data.threadId);
    await this.setPresence(parsed.data.threadId, data.principal, null);
    return { ok: true };
  }

  @SubscribeMessage('thread.typing')
  async typing(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    const parsed = ClientEvents['thread.typing'].safeParse(body);
    const data = socket.data as SocketData | undefined;
    if (!parsed.success || !data?.principal || !data.viewing.has(parsed.data.threadId)) return { ok: false };
    await this.setPresence(parsed.data.threadId, data.principal, { typing: parsed.data.typing });
    return { ok: true };
  }

  private async setPresence(threadId: string, p: SessionPrincipal, state: { typing: boolean } | null): Promise<void> {
    const key = redisKey(this.config, 'presence', threadId);
    try {
      if (state) {
        await this.redis
          .multi()
          .hset(key, p.agent.id, JSON.stringify({ name: p.agent.name, typing: state.typing, at: Date.now() }))
          .expire(key, PRESENCE_TTL_SECONDS)
          .exec();
      } else {
        await this.redis.hdel(key, p.agent.id);
      }
      const all = await this.redis.hgetall(key);
      const fresh = Date.now() - PRESENCE_TTL_SECONDS * 1000;
      const viewers = Object.entries(all)
        .map(([agentId, v]) => ({ agentId, ...(JSON.parse(v) as { name: string; typing: boolean; at: number }) }))
        .filter((v) => v.at >= fresh)
        .map(({ agentId, name, typing }) => ({ agentId, name, typing }));
      this.realtime.publish([Rooms.thread(threadId)], 'presence.updated', { threadId, viewers });
    } catch (e) {
      this.log.warn(`presence update failed: ${(e as Error).message}`);
    }
  }
}
