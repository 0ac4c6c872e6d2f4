import { io, type Socket } from 'socket.io-client';
import { startApi, type Harness } from './harness';

describe('socket.io handshake', () => {
  let h: Harness;
  let url: string;
  beforeAll(async () => {
    h = await startApi();
    url = `http://127.0.0.1:${(h.app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(() => h.close());

  const connect = (cookie?: string) =>
    io(url, { transports: ['websocket'], extraHeaders: cookie ? { Cookie: cookie } : {}, reconnection: false });

  it('disconnects a socket without a session', async () => {
    const s: Socket = connect();
    const outcome = await new Promise<string>((resolve) => {
      s.once('ready', () => resolve('ready'));
      s.once('disconnect', () => resolve('disconnected'));
    });
    expect(outcome).toBe('disconnected');
    s.close();
  });

  it("joins an agent's and a supervisor's rooms, and shares presence on a thread", async () => {
    const sup = await h.f.agent({ role: 'supervisor', name: 'Sue' });
    const agent = await h.f.agent({ name: 'Ada' });
    const ready = (sock: Socket) => new Promise<{ rooms: string[] }>((resolve) => sock.once('ready', resolve));
    const [aCookie, sCookie] = [await h.login(agent), await h.login(sup)];
    const a = connect(aCookie);
    const s = connect(sCookie);
    const [ra, rs] = await Promise.all([ready(a), ready(s)]);
    expect(ra!.rooms).toEqual(expect.arrayContaining([`agent:${agent.id}`, 'all-agents']));
    expect(ra!.rooms).not.toContain('supervisors');
    expect(rs!.rooms).toContain('supervisors');

    const threadId = (await h.f.thread()).id;
    await s.emitWithAck('thread.view', { threadId });
    const seen = new Promise<{ viewers: Array<{ agentId: string; typing: boolean }> }>((resolve) =>
      s.on('presence.updated', (p: { viewers: Array<{ agentId: string; typing: boolean }> }) => {
        if (p.viewers.some((v) => v.agentId === agent.id && v.typing)) resolve(p);
      }),
    );
    await a.emitWithAck('thread.view', { threadId });
    await a.emitWithAck('thread.typing', { threadId, typing: true });
    const p = await seen;
    expect(p.viewers.map((v) => v.agentId).sort()).toEqual([agent.id, sup.id].sort());
    a.close();
    s.close();
  });
});
