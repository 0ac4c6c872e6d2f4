import { buildFormSchema, type FormFieldSpec } from '@desk/channels';
import { INBOX_SECRET_PATHS, type ChannelKind, type InboxSettingsView, type UpdateInboxSettingsRequest } from '@desk/contracts';
import type { z } from 'zod';
import { ImapSettingsSchema } from './imap-settings';
import { MetaInboxSettings, XInboxSettings } from './social-channels';

/**
 * An admin's view and edit of `inboxes.settings`. Pure, so the rules are unit-tested: secrets
 * (INBOX_SECRET_PATHS) never leave the server and are replaced only when a new value is given;
 * the result must pass the same schemas the adapters read, or nothing is stored.
 */

export interface SettingsFieldError {
  path: string;
  message: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function getPath(o: Obj, path: string): unknown {
  return path.split('.').reduce<unknown>((cur, key) => (isObj(cur) ? cur[key] : undefined), o);
}

function setPath(o: Obj, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = o;
  for (const key of keys.slice(0, -1)) {
    if (!isObj(cur[key])) cur[key] = {};
    cur = cur[key] as Obj;
  }
  cur[keys.at(-1)!] = value;
}

function deletePath(o: Obj, path: string): void {
  const keys = path.split('.');
  const parent = keys.length === 1 ? o : getPath(o, keys.slice(0, -1).join('.'));
  if (isObj(parent)) delete parent[keys.at(-1)!];
}

/** `oauth1: {}` left behind by removed secrets means "no oauth1", which the schemas accept. */
function dropEmptyObjects(o: Obj): Obj {
  for (const [k, v] of Object.entries(o)) {
    if (isObj(v)) {
      dropEmptyObjects(v);
      if (Object.keys(v).length === 0) delete o[k];
    }
  }
  return o;
}

const clone = (o: Obj): Obj => structuredClone(o);

export function settingsView(inboxId: string, channel: ChannelKind, stored: Obj): InboxSettingsView {
  const values = clone(stored ?? {});
  const secrets: Record<string, boolean> = {};
  for (const path of INBOX_SECRET_PATHS[channel]) {
    const v = getPath(values, path);
    secrets[path] = typeof v === 'string' && v.length > 0;
    deletePath(values, path);
  }
  return { inboxId, channel, values: dropEmptyObjects(values), secrets };
}

/** The settings to store, or the fields that are wrong (paths as the request names them). */
export function mergeSettings(
  channel: ChannelKind,
  stored: Obj,
  req: UpdateInboxSettingsRequest,
): { ok: true; settings: Obj } | { ok: false; fields: SettingsFieldError[] } {
  const secretPaths = INBOX_SECRET_PATHS[channel];
  const fields: SettingsFieldError[] = [];
  for (const path of secretPaths) {
    if (getPath(req.values, path) !== undefined) fields.push({ path: `values.${path}`, message: 'a secret is written through `secrets`' });
  }
  for (const path of Object.keys(req.secrets)) {
    if (!secretPaths.includes(path)) fields.push({ path: `secrets.${path}`, message: `not a secret of a ${channel} inbox` });
  }
  if (fields.length) return { ok: false, fields };

  const next = clone(req.values);
  for (const path of secretPaths) {
    const given = req.secrets[path];
    const kept = getPath(stored ?? {}, path);
    if (typeof given === 'string') setPath(next, path, given);
    else if (given === undefined && kept !== undefined) setPath(next, path, kept);
  }
  dropEmptyObjects(next);
  const problems = validateInboxSettings(channel, next);
  return problems.length ? { ok: false, fields: problems } : { ok: true, settings: next };
}

function zodFields(prefix: string, error: z.ZodError): SettingsFieldError[] {
  return error.issues.map((i) => ({ path: ['values', prefix, ...i.path.map(String)].filter(Boolean).join('.'), message: i.message }));
}

const BOOLEAN_KEYS = ['survey', 'autoAckPublic', 'dmToMentioners'] as const;

/** The checks the adapters would otherwise fail on later (a poller that cannot log in, a form that 500s). */
export function validateInboxSettings(channel: ChannelKind, s: Obj): SettingsFieldError[] {
  const out: SettingsFieldError[] = [];
  for (const key of BOOLEAN_KEYS) {
    if (s[key] !== undefined && typeof s[key] !== 'boolean') out.push({ path: `values.${key}`, message: 'must be true or false' });
  }
  // read by the outbox for inboxes without a mailbox of their own (web form, social)
  if (s.replyFromAddress !== undefined && (typeof s.replyFromAddress !== 'string' || !s.replyFromAddress.includes('@'))) {
    out.push({ path: 'values.replyFromAddress', message: 'must be an email address' });
  }
  if (channel === 'email') {
    if (s.imap !== undefined) {
      const r = ImapSettingsSchema.safeParse(s.imap);
      if (!r.success) out.push(...zodFields('imap', r.error));
    }
  } else if (channel === 'webform') {
    if (s.fields !== undefined) {
      if (!Array.isArray(s.fields)) out.push({ path: 'values.fields', message: 'must be a list of fields' });
      else {
        try {
          buildFormSchema(s.fields as FormFieldSpec[]);
        } catch (e) {
          out.push({ path: 'values.fields', message: (e as Error).message });
        }
      }
    }
    if (s.allowedOrigins !== undefined) {
      if (!Array.isArray(s.allowedOrigins)) out.push({ path: 'values.allowedOrigins', message: 'must be a list of origins' });
      else s.allowedOrigins.forEach((o, i) => {
        if (!isOrigin(o)) out.push({ path: `values.allowedOrigins.${i}`, message: 'must be an origin like https://www.example.com' });
      });
    }
    if (s.intro !== undefined && s.intro !== null && typeof s.intro !== 'string') out.push({ path: 'values.intro', message: 'must be text' });
  } else {
    const r = (channel === 'x' ? XInboxSettings : MetaInboxSettings).safeParse(s);
    if (!r.success) out.push(...zodFields('', r.error));
  }
  return out;
}

function isOrigin(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === v.replace(/\/+$/, '');
  } catch {
    return false;
  }
}
