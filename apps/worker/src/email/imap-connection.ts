import { ImapFlow } from 'imapflow';
import type { ImapSettings } from '@desk/core';

/**
 * Connects, logs in and selects the inbox's mailbox (creating the move target when the inbox
 * moves imported mail). IDLE is driven by the caller, not by imapflow's 15-second auto-idle.
 */
export async function openMailbox(s: ImapSettings, id: string): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: s.host,
    port: s.port,
    secure: s.secure,
    auth: { user: s.user, pass: s.password },
    logger: false,
    disableAutoIdle: true,
    id,
    connectionTimeout: 30_000,
    greetingTimeout: 15_000,
    socketTimeout: 10 * 60_000,
  });
  // without a listener an 'error' event would throw out of the event loop; failures surface through
  // the rejected command and the 'close' event instead
  client.on('error', () => undefined);
  try {
    await client.connect();
    if (s.afterImport === 'move' && s.moveTo) await client.mailboxCreate(s.moveTo).catch(() => undefined);
    await client.mailboxOpen(s.mailbox);
    return client;
  } catch (e) {
    client.close();
    throw e;
  }
}

/** LOGOUT when the connection still works (bounded), then close the socket in any case. */
export async function closeQuietly(client: ImapFlow | null | undefined): Promise<void> {
  if (!client) return;
  if (client.usable) {
    await Promise.race([client.logout().catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
  }
  client.close();
}

export const supportsIdle = (client: ImapFlow) => client.capabilities.has('IDLE');
