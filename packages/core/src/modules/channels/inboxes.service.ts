import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CreateInboxRequest, Inbox as InboxDto } from '@desk/contracts';
import { Inbox } from './inbox.entity';
import { AuditService, type Actor } from '../audit/audit.service';

export function toInboxDto(i: Inbox): InboxDto {
  return {
    id: i.id,
    name: i.name,
    channel: i.channel,
    address: i.address,
    teamId: i.teamId,
    assignmentMode: i.assignmentMode,
    autoAckEnabled: i.autoAckEnabled,
    isActive: i.isActive,
  };
}

/** Public social mentions get no automatic acknowledgement unless the inbox turns it on. */
const AUTO_ACK_DEFAULT: Record<Inbox['channel'], boolean> = { email: true, webform: true, x: false, facebook: false, instagram: false };

@Injectable()
export class InboxesService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  list(): Promise<Inbox[]> {
    return this.ds.getRepository(Inbox).find({ order: { name: 'ASC' } });
  }

  async get(id: string): Promise<Inbox> {
    const inbox = await this.ds.getRepository(Inbox).findOneBy({ id });
    if (!inbox) throw new NotFoundException('inbox not found');
    return inbox;
  }

  create(input: CreateInboxRequest, actor: Actor): Promise<Inbox> {
    return this.ds.transaction(async (m) => {
      const inbox = await m.save(
        m.create(Inbox, {
          name: input.name,
          channel: input.channel,
          address: input.address,
          teamId: input.teamId,
          assignmentMode: input.assignmentMode,
          autoAckEnabled: input.autoAckEnabled ?? AUTO_ACK_DEFAULT[input.channel],
          settings: input.settings,
        }),
      );
      await this.audit.record({ actor, action: 'inbox.created', data: { inboxId: inbox.id, channel: inbox.channel } }, m);
      return inbox;
    });
  }
}
