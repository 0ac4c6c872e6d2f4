import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CreateInboxRequest, Inbox as InboxDto, InboxSettingsView, UpdateInboxRequest, UpdateInboxSettingsRequest } from '@desk/contracts';
import { Inbox } from './inbox.entity';
import { AuditService, type Actor } from '../audit/audit.service';
import { Team } from '../agents/team.entity';
import { mergeSettings, settingsView } from './inbox-settings';

export function toInboxDto(i: Inbox): InboxDto {
  return {
    id: i.id,
    name: i.name,
    channel: i.channel,
    address: i.address,
    teamId: i.teamId,
    assignmentMode: i.assignmentMode,
    autoAckEnabled: i.autoAckEnabled,
    ackTemplate: i.ackTemplate,
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

  /** An admin's change to routing and acknowledgement; `settings` (channel credentials) are not touched here. */
  async update(id: string, input: UpdateInboxRequest, actor: Actor): Promise<Inbox> {
    return this.ds.transaction(async (m) => {
      const inbox = await m.findOne(Inbox, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!inbox) throw new NotFoundException('inbox not found');
      if (input.teamId && !(await m.existsBy(Team, { id: input.teamId }))) throw new NotFoundException('teamId: unknown team');
      // a blank template means "the default", stored as null so a later default change reaches it
      const patch = { ...input, ...(input.ackTemplate !== undefined ? { ackTemplate: input.ackTemplate?.trim() ? input.ackTemplate : null } : {}) };
      const changed = (Object.keys(patch) as Array<keyof typeof patch>).filter((k) => patch[k] !== undefined && patch[k] !== inbox[k]);
      if (changed.length === 0) return inbox;
      Object.assign(inbox, Object.fromEntries(changed.map((k) => [k, patch[k]])));
      await m.save(inbox);
      await this.audit.record({ actor, action: 'inbox.updated', data: { inboxId: id, changed } }, m);
      return inbox;
    });
  }

  /** The channel setup without its secrets (admins see only whether each is set). */
  async settings(id: string): Promise<InboxSettingsView> {
    const inbox = await this.get(id);
    return settingsView(inbox.id, inbox.channel, inbox.settings);
  }

  /**
   * Replaces the channel setup, keeping stored secrets unless new ones are given. Refused with the
   * failing fields when the result would not pass the adapter's own schema. The audit names the
   * keys and secrets that changed, never a value.
   */
  async updateSettings(id: string, input: UpdateInboxSettingsRequest, actor: Actor): Promise<InboxSettingsView> {
    return this.ds.transaction(async (m) => {
      const inbox = await m.findOne(Inbox, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!inbox) throw new NotFoundException('inbox not found');
      const merged = mergeSettings(inbox.channel, inbox.settings, input);
      if (!merged.ok) {
        throw new BadRequestException({ message: merged.fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields: merged.fields });
      }
      inbox.settings = merged.settings;
      await m.save(inbox);
      await this.audit.record(
        { actor, action: 'inbox.settings_updated', data: { inboxId: id, keys: Object.keys(input.values).sort(), secrets: Object.keys(input.secrets).sort() } },
        m,
      );
      return settingsView(inbox.id, inbox.channel, inbox.settings);
    });
  }
}
