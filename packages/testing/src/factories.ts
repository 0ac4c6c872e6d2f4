import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  Agent,
  Contact,
  ContactIdentity,
  Inbox,
  Message,
  Team,
  Thread,
  hashPassword,
} from '@desk/core';

let seq = 0;
const n = () => `${++seq}${randomBytes(2).toString('hex')}`;

/** One factory per entity; a test states only what matters to it. */
export class Factories {
  constructor(private readonly ds: DataSource) {}

  static readonly PASSWORD = 'correct horse battery staple';

  async agent(p: Partial<Agent> & { password?: string } = {}): Promise<Agent> {
    const { password, ...rest } = p;
    return this.ds.getRepository(Agent).save({
      email: `agent-${n()}@desk.test`,
      name: `Agent ${n()}`,
      role: 'agent',
      availability: 'online',
      passwordHash: await hashPassword(password ?? Factories.PASSWORD),
      ...rest,
    });
  }

  team(p: Partial<Team> = {}): Promise<Team> {
    return this.ds.getRepository(Team).save({ name: `Team ${n()}`, ...p });
  }

  inbox(p: Partial<Inbox> = {}): Promise<Inbox> {
    return this.ds.getRepository(Inbox).save({ name: `Inbox ${n()}`, channel: 'email', address: `support-${n()}@desk.test`, ...p });
  }

  async contact(p: Partial<Contact> & { email?: string } = {}): Promise<Contact> {
    const { email, ...rest } = p;
    const address = email ?? `customer-${n()}@example.com`;
    const contact = await this.ds.getRepository(Contact).save({ name: `Customer ${n()}`, primaryEmail: address, ...rest });
    await this.ds.getRepository(ContactIdentity).save({ contactId: contact.id, kind: 'email', value: address, normalizedValue: address.toLowerCase() });
    return contact;
  }

  async thread(p: Partial<Thread> = {}): Promise<Thread> {
    const inboxId = p.inboxId ?? (await this.inbox()).id;
    const contactId = p.contactId ?? (await this.contact()).id;
    return this.ds.getRepository(Thread).save({
      subject: `Question ${n()}`,
      channel: 'email',
      status: 'open',
      priority: 'normal',
      lastMessageAt: new Date(),
      ...p,
      inboxId,
      contactId,
    });
  }

  message(p: Partial<Message> & { threadId: string }): Promise<Message> {
    return this.ds.getRepository(Message).save({
      direction: 'inbound',
      channel: 'email',
      bodyText: `Hello ${n()}`,
      ...p,
    });
  }
}
