import { createServer, type IncomingMessage } from 'node:http';
import { connect, Socket, type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { classifySmtpError, relayTransport } from '@desk/channels';
import { freePort } from '@desk/testing';

jest.setTimeout(30_000);

/**
 * relayTransport against a real SMTP server: the relay URL's host, port and credentials are used,
 * a pooled transport carries many mails over one session (nodemailer given `{ url, pool }` would
 * drop the pool and open a session per mail), and a relay that refuses the connection is a
 * temporary failure, retried later.
 */
describe('relayTransport', () => {
  let server: SMTPServer;
  let port: number;
  const sessions: string[] = [];
  const users: string[] = [];
  const mails: string[] = [];

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onConnect: (session, callback) => {
        sessions.push(session.id);
        callback();
      },
      onAuth: (auth, _session, callback) => {
        users.push(`${auth.username}:${auth.password}`);
        callback(null, { user: auth.username });
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push(`${session.id} ${/^Subject: (.*)$/m.exec(Buffer.concat(chunks).toString())?.[1]}`);
          callback(null, 'Ok: queued');
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    sessions.length = 0;
    users.length = 0;
    mails.length = 0;
  });

  const send = (t: ReturnType<typeof relayTransport>, subject: string) =>
    t.sendMail({ from: 'desk@acme.test', to: 'customer@example.com', subject, text: 'Hello' });

  it('sends the mails of a pooled transport over one session, signed in with the URL credentials', async () => {
    const t = relayTransport(`smtp://relay%20user:s%3Ecret@127.0.0.1:${port}`, { maxConnections: 1 });
    try {
      for (const subject of ['one', 'two', 'three']) await send(t, subject);
    } finally {
      t.close();
    }
    expect(sessions).toHaveLength(1);
    expect(mails).toEqual(['one', 'two', 'three'].map((s) => `${sessions[0]} ${s}`));
    expect(users).toEqual(['relay user:s>cret']);
  });

  it('opens a session per mail without a pool', async () => {
    const t = relayTransport(`smtp://127.0.0.1:${port}`);
    try {
      await send(t, 'first');
      await send(t, 'second');
    } finally {
      t.close();
    }
    expect(sessions).toHaveLength(2);
    expect(mails.map((m) => m.split(' ')[1])).toEqual(['first', 'second']);
  });

  it('goes through an HTTP CONNECT proxy named in the URL (?proxy=), with Nagle off on the proxied socket too', async () => {
    const tunnels: string[] = [];
    const proxy = createServer();
    proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, p] = (req.url ?? '').split(':');
      const upstream = connect(Number(p), host!, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyPort = (proxy.address() as AddressInfo).port;
    const noDelay = jest.spyOn(Socket.prototype, 'setNoDelay');
    const t = relayTransport(`smtp://127.0.0.1:${port}?proxy=${encodeURIComponent(`http://127.0.0.1:${proxyPort}`)}`, { maxConnections: 1 });
    try {
      await send(t, 'proxied one');
      await send(t, 'proxied two');
      expect(tunnels).toEqual([`127.0.0.1:${port}`]);
      expect(mails.map((m) => m.split(' ').slice(1).join(' '))).toEqual(['proxied one', 'proxied two']);
      // the socket to the proxy, which carries the SMTP session, sends at once
      const toProxy = noDelay.mock.contexts.filter((s) => (s as Socket).remotePort === proxyPort);
      expect(toProxy.length).toBeGreaterThan(0);
      expect(noDelay.mock.calls[noDelay.mock.contexts.indexOf(toProxy[0]!)]).toEqual([true]);
    } finally {
      noDelay.mockRestore();
      t.close();
      proxy.closeAllConnections?.();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  it('fails with a temporary error when the relay refuses the connection', async () => {
    const closed = await freePort();
    const t = relayTransport(`smtp://127.0.0.1:${closed}`, { maxConnections: 1 });
    try {
      const err = await send(t, 'lost').catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe('ECONNREFUSED');
      expect(classifySmtpError(err)).toBe('temporary');
    } finally {
      t.close();
    }
  });
});
