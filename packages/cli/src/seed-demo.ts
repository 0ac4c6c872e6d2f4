import type { DataSource, EntityManager } from 'typeorm';
import {
  Agent,
  AuditEvent,
  BusinessCalendar,
  Contact,
  ContactIdentity,
  Inbox,
  MailMessageId,
  Message,
  SlaBreach,
  SlaClock,
  SlaPolicy,
  Team,
  Thread,
  hashPassword,
} from '@desk/core';

/**
 * `pnpm seed:demo`: fills an empty, migrated database with a living demo desk (a support team,
 * one inbox per channel, customers known on several channels, ~45 threads over the last 14 days
 * with SLA clocks, breaches and an audit trail), so a newcomer who logs in sees a team at work.
 *
 * Deterministic: a seeded generator picks ids, jitter and order numbers, and every instant is
 * relative to `now`, so two runs look the same. Runs in one transaction; does nothing when the
 * demo admin already exists.
 */

export const DEMO_ADMIN_EMAIL = 'demo-admin@desk.test';
export const DEMO_PASSWORD = 'demo-password-123';

export interface SeedSummary {
  skipped: boolean;
  /** With `social: 'webhooks'`: the social conversations still to be posted as webhook events (see seed-social.ts). */
  social: SocialDemoThread[];
  agents: number;
  teams: number;
  inboxes: number;
  contacts: number;
  threads: number;
  messages: number;
  adminEmail: string;
  password: string;
}

export interface SeedDemoOptions {
  now?: Date;
  log?: (line: string) => void;
  /** The provider sandbox the X, Facebook and Instagram inboxes talk to (base URL and webhook secrets). */
  sandbox?: DemoSandbox;
  /**
   * `database` (default): social threads are written like the others. `webhooks`: they are only
   * planned and returned in `social`, to go through the real pipeline as signed webhook events.
   */
  social?: 'database' | 'webhooks';
}

export interface DemoSandbox {
  /** X API origin; the Graph API is `<url>/v21.0`. */
  url: string;
  xConsumerSecret: string;
  metaAppSecret: string;
}

/** Our own accounts on the networks, as the demo inboxes and the sandbox's webhook events name them. */
export const DEMO_ACCOUNTS = { xUserId: '1602938475610238976', xScreenName: 'acme', pageId: '104857600123456', igUserId: '17841405822304914' };

/** One planned social conversation: its customer's messages, to be posted as webhook events. */
export interface SocialDemoThread {
  channel: 'x' | 'facebook' | 'instagram';
  inboxId: string;
  contact: { key: string; name: string; handle: string | null; ids: { x?: string; facebook?: string; instagram?: string } };
  surface: 'public' | 'dm';
  /** The customer's messages, oldest first (the agents' side of the story is left to the people trying the demo). */
  messages: Array<{ text: string; at: Date; isPublic: boolean }>;
}

/** The inbox settings that make a social inbox talk to the sandbox. */
function sandboxSettings(channel: Channel, sb: DemoSandbox): Record<string, unknown> {
  const meta = { appSecret: sb.metaAppSecret, verifyToken: 'sandbox-verify-token', pageAccessToken: 'sandbox-page-token', graphBaseUrl: `${sb.url.replace(/\/+$/, '')}/v21.0` };
  if (channel === 'x') {
    return { userId: DEMO_ACCOUNTS.xUserId, consumerSecret: sb.xConsumerSecret, bearerToken: 'sandbox-user-token', apiBaseUrl: sb.url, webhook: true, pollMentions: false };
  }
  if (channel === 'facebook') return { ...meta, pageId: DEMO_ACCOUNTS.pageId };
  if (channel === 'instagram') return { ...meta, igUserId: DEMO_ACCOUNTS.igUserId };
  return {};
}

type Channel = Inbox['channel'];
type Status = Thread['status'];
type Priority = Thread['priority'];
type Role = Agent['role'];
type Availability = Agent['availability'];
type AssignmentMode = Inbox['assignmentMode'];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------------------------
// deterministic pseudo-random numbers (mulberry32)

class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return must(items[Math.floor(this.next() * items.length)], 'pick from an empty list');
  }
  chars(n: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet.charAt(Math.floor(this.next() * alphabet.length));
    return s;
  }
  digits(n: number): string {
    return String(this.int(1, 9)) + this.chars(n - 1, '0123456789');
  }
  hex(n: number): string {
    return this.chars(n, '0123456789abcdef');
  }
  base62(n: number): string {
    return this.chars(n, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
  }
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'.charAt(this.int(0, 3))}${h.slice(17, 20)}-${h.slice(20)}`;
  }
  /** `minutes` give or take `spread` (a fraction). */
  around(minutes: number, spread = 0.25): number {
    return minutes * (1 + (this.next() * 2 - 1) * spread);
  }
}

function must<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`seed-demo: ${what}`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// the team

type AgentKey = 'admin' | 'priya' | 'marcus' | 'sofia' | 'liam' | 'aiko' | 'jonas' | 'grace' | 'mateo';
type TeamKey = 'billing' | 'tech' | 'social';

const TEAMS: Array<{ key: TeamKey; name: string; description: string; supervisor: AgentKey }> = [
  {
    key: 'billing',
    name: 'Billing',
    description: 'Invoices, payments, refunds and subscriptions',
    supervisor: 'priya',
  },
  {
    key: 'tech',
    name: 'Technical support',
    description: 'Log-in problems, bugs, integrations and the API',
    supervisor: 'marcus',
  },
  {
    key: 'social',
    name: 'Social care',
    description: 'Public and private messages on X, Facebook and Instagram',
    supervisor: 'priya',
  },
];

const AGENTS: Array<{
  key: AgentKey;
  name: string;
  email: string;
  role: Role;
  availability: Availability;
  capacity: number;
  teams: TeamKey[];
}> = [
  {
    key: 'admin',
    name: 'Dana Whitfield',
    email: DEMO_ADMIN_EMAIL,
    role: 'admin',
    availability: 'online',
    capacity: 5,
    teams: [],
  },
  {
    key: 'priya',
    name: 'Priya Raman',
    email: 'priya.raman@desk.test',
    role: 'supervisor',
    availability: 'online',
    capacity: 8,
    teams: ['billing', 'social'],
  },
  {
    key: 'marcus',
    name: 'Marcus Feld',
    email: 'marcus.feld@desk.test',
    role: 'supervisor',
    availability: 'away',
    capacity: 8,
    teams: ['tech'],
  },
  {
    key: 'sofia',
    name: 'Sofia Costa',
    email: 'sofia.costa@desk.test',
    role: 'agent',
    availability: 'online',
    capacity: 12,
    teams: ['billing', 'social'],
  },
  {
    key: 'liam',
    name: "Liam O'Brien",
    email: 'liam.obrien@desk.test',
    role: 'agent',
    availability: 'online',
    capacity: 10,
    teams: ['tech'],
  },
  {
    key: 'aiko',
    name: 'Aiko Tanaka',
    email: 'aiko.tanaka@desk.test',
    role: 'agent',
    availability: 'away',
    capacity: 10,
    teams: ['tech'],
  },
  {
    key: 'jonas',
    name: 'Jonas Weber',
    email: 'jonas.weber@desk.test',
    role: 'agent',
    availability: 'offline',
    capacity: 8,
    teams: ['billing'],
  },
  {
    key: 'grace',
    name: 'Grace Mensah',
    email: 'grace.mensah@desk.test',
    role: 'agent',
    availability: 'online',
    capacity: 12,
    teams: ['social'],
  },
  {
    key: 'mateo',
    name: 'Mateo Alvarez',
    email: 'mateo.alvarez@desk.test',
    role: 'agent',
    availability: 'offline',
    capacity: 6,
    teams: ['tech', 'social'],
  },
];

const INBOXES: Array<{
  channel: Channel;
  name: string;
  address: string | null;
  team: TeamKey;
  mode: AssignmentMode;
  settings: Record<string, unknown>;
}> = [
  {
    channel: 'email',
    name: 'Support email',
    address: 'support@acme.test',
    team: 'tech',
    mode: 'least_loaded',
    settings: { fromName: 'Acme Support' },
  },
  {
    channel: 'webform',
    name: 'Contact form',
    address: null,
    team: 'billing',
    mode: 'round_robin',
    settings: { slug: 'contact', title: 'Contact Acme support' },
  },
  {
    channel: 'x',
    name: 'Acme on X',
    address: '@acme',
    team: 'social',
    mode: 'manual',
    settings: { handle: 'acme' },
  },
  {
    channel: 'facebook',
    name: 'Acme Facebook page',
    address: '104857600123456',
    team: 'social',
    mode: 'round_robin',
    settings: { pageName: 'Acme' },
  },
  {
    channel: 'instagram',
    name: 'Acme Instagram',
    address: '@acme.official',
    team: 'social',
    mode: 'least_loaded',
    settings: { username: 'acme.official' },
  },
];

const ACME_DOMAIN = 'acme.test';
const SUPPORT_ADDRESS = 'support@acme.test';

// ---------------------------------------------------------------------------------------------
// customers

interface ContactSpec {
  key: string;
  name: string;
  email?: string;
  /** X handle without @ */
  x?: string;
  facebook?: boolean;
  /** Instagram username without @ */
  instagram?: string;
  tags?: string[];
  /** Known to us for longer than their first demo thread. */
  sinceDays?: number;
}

const CONTACTS: ContactSpec[] = [
  // known on several channels
  { key: 'james', name: 'James Carter', email: 'james.carter@example.com', x: 'jcarter88' },
  {
    key: 'emma',
    name: 'Emma Schneider',
    email: 'emma.schneider@example.de',
    x: 'emma_schn',
    instagram: 'emma.schneider',
    tags: ['vip'],
    sinceDays: 420,
  },
  {
    key: 'olivia',
    name: 'Olivia Nguyen',
    email: 'olivia.nguyen@example.net',
    facebook: true,
    sinceDays: 160,
  },
  { key: 'lukas', name: 'Lukas Brandt', email: 'lukas.brandt@example.de' },
  { key: 'chloe', name: 'Chloé Dubois', email: 'chloe.dubois@example.fr', instagram: 'chloe.dbs' },
  {
    key: 'noah',
    name: 'Noah Kim',
    email: 'noah@kimstudio.example',
    x: 'noahkim_dev',
    facebook: true,
    tags: ['b2b'],
    sinceDays: 300,
  },
  { key: 'isabella', name: 'Isabella Rossi', email: 'isabella.rossi@example.it', facebook: true },
  { key: 'ethan', name: 'Ethan Walker', email: 'ethan.walker@example.org', x: 'ethanwalks' },
  // one channel each (Hannah is known on X too, but only wrote by email)
  {
    key: 'hannah',
    name: 'Hannah Becker',
    email: 'h.becker@nordwind-logistik.example',
    x: 'hannahbecker',
    tags: ['b2b'],
    sinceDays: 210,
  },
  {
    key: 'mohammed',
    name: 'Mohammed Al-Sayed',
    email: 'm.alsayed@souqline.example',
    tags: ['b2b', 'api'],
    sinceDays: 95,
  },
  { key: 'sophie', name: 'Sophie Martin', email: 'sophie.martin@example.fr' },
  { key: 'daniel', name: 'Daniel Okafor', email: 'daniel@okafor-design.example', tags: ['b2b'] },
  { key: 'mia', name: 'Mia Johansson', instagram: 'mia.johansson' },
  { key: 'benjamin', name: 'Benjamin Lee', x: 'benlee_runs' },
  { key: 'ava', name: 'Ava Thompson', facebook: true },
  { key: 'felix', name: 'Felix Wagner', email: 'felix.wagner@example.de', sinceDays: 700 },
  { key: 'zoe', name: 'Zoe Papadopoulos', email: 'zoe.papadopoulos@example.gr' },
  { key: 'ryan', name: 'Ryan Murphy', x: 'ryanmurphy_ie' },
  { key: 'lena', name: 'Lena Hoffmann', email: 'lena.hoffmann@example.at' },
  { key: 'carlos', name: 'Carlos Mendes', facebook: true },
  { key: 'yuki', name: 'Yuki Sato', instagram: 'yuki.creates', tags: ['influencer'] },
  { key: 'amelia', name: 'Amelia Clarke', email: 'amelia.clarke@example.co.uk' },
  { key: 'tomasz', name: 'Tomasz Nowak', email: 'tomasz.nowak@example.pl' },
  { key: 'elif', name: 'Elif Yılmaz', email: 'elif.yilmaz@example.com' },
  { key: 'oscar', name: 'Oscar Lindqvist', x: 'oscarlindqvist' },
  { key: 'ananya', name: 'Ananya Iyer', email: 'ananya.iyer@example.in' },
  { key: 'jack', name: 'Jack Robinson', facebook: true },
  { key: 'nora', name: 'Nora Haddad', instagram: 'nora.haddad' },
  {
    key: 'samuel',
    name: 'Samuel Adeyemi',
    email: 'samuel.adeyemi@brightpath.example',
    tags: ['b2b', 'vip'],
    sinceDays: 520,
  },
  { key: 'clara', name: 'Clara Fischer', email: 'clara.fischer@example.ch' },
  { key: 'lucas', name: 'Lucas Moreau', x: 'lucas_moreau' },
  {
    key: 'ingrid',
    name: 'Ingrid Berg',
    email: 'ingrid@bergarkitekter.example',
    tags: ['b2b'],
    sinceDays: 240,
  },
  { key: 'diego', name: 'Diego Torres', facebook: true },
  { key: 'fatima', name: 'Fatima Zahra Benali', email: 'f.benali@atlas-consult.example', tags: ['b2b'] },
  { key: 'william', name: 'William Hughes', email: 'will.hughes@example.co.uk' },
  { key: 'henry', name: 'Henry Adams', email: 'henry.adams@example.com' },
];

// ---------------------------------------------------------------------------------------------
// conversations

interface Ctx {
  first: string;
  fullName: string;
  handle: string;
  agent: string;
  sig: string;
  initials: string;
  colleague: string;
  order: string;
  tracking: string;
  amount: string;
  last4: string;
  invoice: string;
  date: string;
  dateLater: string;
  domain: string;
  requestId: string;
  serial: string;
  vatId: string;
}

interface Step {
  /** c: customer, a: agent reply, n: internal note, ooo: the customer's out-of-office auto-reply */
  who: 'c' | 'a' | 'n' | 'ooo';
  /** Minutes after the previous step (ignored for the first). */
  gap: number;
  text: string;
  /** A private message (DM) inside an otherwise public social thread. */
  dm?: boolean;
}

interface Scenario {
  subject?: string;
  steps: Step[];
}

const c = (gap: number, text: string, dm?: boolean): Step => ({ who: 'c', gap, text, dm });
const a = (gap: number, text: string, dm?: boolean): Step => ({ who: 'a', gap, text, dm });
const n = (gap: number, text: string): Step => ({ who: 'n', gap, text });
const ooo = (gap: number, text: string): Step => ({ who: 'ooo', gap, text });

const SCENARIOS = {
  // ----- email and web form
  doubleCharge: (x: Ctx): Scenario => ({
    subject: 'Charged twice for my subscription',
    steps: [
      c(
        0,
        `Hi,\n\nI just checked my bank statement and I was charged €${x.amount} twice on ${x.date} for my Acme Pro subscription (card ending ${x.last4}). Can you please refund the duplicate payment?\n\nThanks,\n${x.first}`,
      ),
      a(
        95,
        `Hi ${x.first},\n\nI'm sorry about that. I can see two charges of €${x.amount} on your account: the second one came from an automatic retry after your bank timed out on the first. I've refunded the duplicate payment; it will show on your statement within 5–7 business days.\n\nBest regards,\n${x.sig}`,
      ),
      c(140, `Perfect, thank you for sorting it out so quickly!\n\n${x.first}`),
    ],
  }),
  passwordReset: (x: Ctx): Scenario => ({
    subject: 'Password reset email never arrives',
    steps: [
      c(
        0,
        `Hello,\n\nI've tried to reset my password three times today but the email never arrives. I checked my spam folder too. My login is this email address.\n\nCan you help? I can't get into my account at all.\n\n${x.first}`,
      ),
      a(
        70,
        `Hi ${x.first},\n\nthanks for the details. Our mail logs show that the reset emails reached ${x.domain}, but your provider's spam filter quarantined them. I've just sent you a fresh link that stays valid for 60 minutes. If it doesn't show up, please allow mail from no-reply@acme.test and let me know.\n\n${x.sig}`,
      ),
      c(25, `Got it this time and I'm back in. Thanks a lot!`),
    ],
  }),
  shippingDelay: (x: Ctx): Scenario => ({
    subject: `Where is my order ${x.order}?`,
    steps: [
      c(
        0,
        `Hello,\n\nI ordered on ${x.date} and the tracking number (${x.tracking}) hasn't moved for 6 days. I need this before the weekend, what is going on?\n\n${x.first}`,
      ),
      n(
        50,
        `Called DHL business support: the parcel is stuck at the Leipzig hub after a sorting fault, expected to move within 48h. Replacement stock is available if it doesn't.`,
      ),
      a(
        12,
        `Hi ${x.first},\n\nI checked with DHL: your parcel is held at their Leipzig hub because of a sorting fault there, and they expect it to move within 48 hours. If it hasn't moved by Friday, I'll send you a replacement by express at no cost.\n\nSorry for the wait,\n${x.sig}`,
      ),
      c(180, `OK. Please do keep an eye on it, it's a birthday present.`),
      a(
        35,
        `Will do! I've set a reminder on my side and I'll write to you on Friday either way.\n\n${x.sig}`,
      ),
      n(2, `Snoozed until Friday morning: check tracking ${x.tracking}, re-ship by express if still stuck.`),
    ],
  }),
  exportBug: (x: Ctx): Scenario => ({
    subject: 'CSV export fails with more than 10,000 rows',
    steps: [
      c(
        0,
        `Hi team,\n\nsince yesterday's update, exporting reports to CSV fails with "Export failed (error 500)" whenever the report has more than about 10,000 rows. Smaller exports work fine.\n\nSteps: Reports → Sales by region → Last 12 months → Export CSV.\nBrowser: Firefox 128 on Windows 11.\n\nThis is blocking our month-end close.\n\nBest,\n${x.first}`,
      ),
      n(
        12,
        `Reproduced on staging with the Q3 dataset: the new streaming exporter times out after 30s. Filed ENG-4821, engineering says fix is likely in the next release.`,
      ),
      a(
        8,
        `Hi ${x.first},\n\nthank you for the precise steps, we reproduced it right away. It's a regression in the new exporter and our engineers are on it (reference ENG-4821).\n\nUntil the fix ships, splitting the range into two 6-month exports works.\n\n${x.sig}`,
      ),
      c(
        260,
        `The workaround does the job for now, thanks. Is there an ETA for the fix? We have the same problem with the "Orders by customer" report.`,
      ),
    ],
  }),
  refund: (x: Ctx): Scenario => ({
    subject: `Refund for order ${x.order}`,
    steps: [
      c(
        0,
        `Hello,\n\nI'd like to return the Aero 2 headphones from order ${x.order}. The left ear cup crackles at any volume. I'm still within the 30-day window. How do I get a refund?\n\n${x.first}`,
      ),
      a(
        110,
        `Hi ${x.first},\n\nsorry to hear that! I've created a prepaid return label for you: you'll find it in your account under Orders → ${x.order} → Return. As soon as the carrier scans the parcel we'll refund €${x.amount} to your original payment method.\n\n${x.sig}`,
      ),
      c(1300, `Sent it back this morning, the tracking says it was picked up.`),
      a(45, `Thanks ${x.first}! We'll let you know as soon as it arrives at our warehouse.\n\n${x.sig}`),
      n(
        1500,
        `Return received at the warehouse, item confirmed faulty. Refund of €${x.amount} issued via Stripe.`,
      ),
      a(
        8,
        `Hi ${x.first},\n\nyour return has arrived at our warehouse and we've issued the refund of €${x.amount}. Depending on your bank it takes 3–5 days to show up.\n\nThanks for your patience,\n${x.sig}`,
      ),
    ],
  }),
  compliment: (x: Ctx): Scenario => ({
    subject: 'Thank you!',
    steps: [
      c(
        0,
        `Hi,\n\nI just wanted to say thank you to ${x.colleague}, who helped me on the phone last week with setting up the new router. Patient, clear and even funny. More of that, please!\n\nKind regards,\n${x.first}`,
      ),
      a(
        200,
        `Hi ${x.first},\n\nthat made our day! I've passed your words on to ${x.colleague} and the whole team. Thank you for taking the time to write.\n\n${x.sig}`,
      ),
    ],
  }),
  invoiceVat: (x: Ctx): Scenario => ({
    subject: `Invoice ${x.invoice} is missing our VAT ID`,
    steps: [
      c(
        0,
        `Hello,\n\nour invoice ${x.invoice} doesn't show our VAT ID (${x.vatId}), so our accounting can't book it. Could you reissue it, please?\n\nThank you,\n${x.first}`,
      ),
      a(
        85,
        `Hi ${x.first},\n\nI've added the VAT ID ${x.vatId} to your billing profile and reissued invoice ${x.invoice}. The corrected PDF is under Billing → Invoices, and future invoices will include the VAT ID automatically.\n\nCould you confirm that the new PDF works for your accounting?\n\n${x.sig}`,
      ),
    ],
  }),
  cancel: (x: Ctx): Scenario => ({
    subject: 'Please cancel my subscription',
    steps: [
      c(
        0,
        `Please cancel my subscription effective immediately. I'm not using the service anymore.\n\n${x.first}`,
      ),
      a(
        130,
        `Hi ${x.first},\n\nI'm sorry to see you go. I've scheduled the cancellation for the end of your current billing period (${x.dateLater}), so you keep access until then and won't be charged again.\n\nMay I ask briefly why you're leaving? It really helps us improve.\n\n${x.sig}`,
      ),
      ooo(
        1,
        `I am out of the office until Monday with limited access to email. For urgent matters please contact office@${x.domain}.\n\n${x.fullName}`,
      ),
    ],
  }),
  accountLocked: (x: Ctx): Scenario => ({
    subject: 'URGENT: whole team locked out of our workspace',
    steps: [
      c(
        0,
        `Hi,\n\nour whole team has been locked out since this morning: "Your workspace has been suspended". We have a client presentation at 2 pm and all our material is in there. Please help ASAP!\n\n${x.first}`,
      ),
      a(
        14,
        `Hi ${x.first},\n\nI've lifted the suspension: it was triggered by a failed card payment that has gone through since. Your team can log in again right now. I've also switched on payment reminders so this can't happen silently again.\n\nGood luck with the presentation!\n${x.sig}`,
      ),
      c(9, `We're back in. Thank you for the fast help!`),
    ],
  }),
  twoFactor: (x: Ctx): Scenario => ({
    subject: "Lost my phone, can't log in (2FA)",
    steps: [
      c(
        0,
        `Hi, I lost my phone with the authenticator app on it and I don't have my backup codes. How can I get back into my account?`,
      ),
      a(
        60,
        `Hi ${x.first},\n\nfor your security we need to verify your identity before we can reset two-factor authentication. Please reply with the last 4 digits of the card on file and the date of your last invoice.\n\n${x.sig}`,
      ),
      c(45, `Card ends in ${x.last4}, the last invoice was on ${x.date}.`),
      n(
        18,
        `Details match the billing record. OK to reset 2FA, needs a supervisor's approval per the account-recovery policy. @Priya could you approve?`,
      ),
    ],
  }),
  addressChange: (x: Ctx): Scenario => ({
    subject: `Change delivery address for order ${x.order}`,
    steps: [
      c(
        0,
        `Hi! I just placed order ${x.order} and realised it's going to my old address. Can you change it to Lindenstraße 14, 10969 Berlin? Thank you!!`,
      ),
      a(
        40,
        `Hi ${x.first},\n\ngood catch! The order hadn't been packed yet, so I've changed the delivery address to Lindenstraße 14, 10969 Berlin. You'll get the tracking link once it ships.\n\n${x.sig}`,
      ),
      c(30, `Amazing, thank you so much!`),
    ],
  }),
  apiRateLimit: (x: Ctx): Scenario => ({
    subject: 'API returns 429 since this morning',
    steps: [
      c(
        0,
        `Hi,\n\nwe're getting HTTP 429 Too Many Requests on /v2/orders although we stay well below the documented 600 requests per minute. Request id of the last failure: ${x.requestId}. Did the limits change?\n\n${x.first}\nHead of Engineering`,
      ),
      a(
        22,
        `Hi ${x.first},\n\nthanks for the request id. Your API key is being counted against the old per-IP limit since last night's gateway migration. I've escalated this to our platform team with high priority and will keep you posted.\n\n${x.sig}`,
      ),
      n(
        90,
        `Platform team confirmed: keys created before 2023 fall back to the per-IP limit. Fix is being rolled out region by region.`,
      ),
      c(
        240,
        `We still see 429s on about 5% of the calls and our nightly sync failed again. This is costing us orders.`,
      ),
    ],
  }),
  damaged: (x: Ctx): Scenario => ({
    subject: `Order ${x.order} arrived damaged`,
    steps: [
      c(
        0,
        `Hello,\n\nthe parcel for order ${x.order} arrived today, and the glass lid of the Chef pan is shattered. The box was crushed on one side. Photos are attached.\n\nWhat now?\n${x.first}`,
      ),
      a(
        75,
        `Hi ${x.first},\n\nI'm really sorry, that's not the unboxing you deserved. A replacement lid is on its way (tracking ${x.tracking}) and there's no need to send the broken one back; please just dispose of the glass carefully.\n\n${x.sig}`,
      ),
    ],
  }),
  teamPricing: (x: Ctx): Scenario => ({
    subject: 'Team pricing and paying by bank transfer',
    steps: [
      c(
        0,
        `Hi,\n\nwe're a team of 25 looking at the Pro plan. Is there a volume discount, and can we pay yearly by bank transfer instead of card?\n\nThanks,\n${x.first}`,
      ),
      a(
        150,
        `Hi ${x.first},\n\nyes to both: teams of 20 or more get 15% off the Pro plan, and yearly plans can be paid by bank transfer. I've sent a quote for 25 seats to this address.\n\n${x.sig}`,
      ),
      c(900, `Great, thank you. We'll review it with finance and come back to you.`),
    ],
  }),
  gdpr: (x: Ctx): Scenario => ({
    subject: 'Data access request (GDPR Art. 15)',
    steps: [
      c(
        0,
        `Dear Sir or Madam,\n\nunder Article 15 GDPR I request a copy of all personal data you hold about me, the purposes of processing and the recipients.\n\nRegards,\n${x.first}`,
      ),
      n(
        60,
        `Export job started by the privacy team (PRIV-212). Legal deadline is 30 days; the export is usually ready within a week.`,
      ),
      a(
        10,
        `Hi ${x.first},\n\nwe've received your request and started preparing your data export. We'll send a secure download link to this address as soon as it's ready, at the latest within 30 days (usually much sooner). For your security, the link requires you to log in.\n\n${x.sig}`,
      ),
    ],
  }),
  uploadError: (x: Ctx): Scenario => ({
    subject: 'Profile picture upload fails',
    steps: [
      c(
        0,
        `Every time I upload a profile picture I get "File type not supported". It's a normal JPG of 2 MB taken with my iPhone.`,
      ),
      a(
        55,
        `Hi ${x.first},\n\niPhones often save photos as HEIC even when the file name says .jpg. Could you try "Save as JPEG" in the Photos app, or simply upload a screenshot of the photo? Proper HEIC support is coming next month.\n\n${x.sig}`,
      ),
      c(35, `The screenshot trick worked 👍 thanks!`),
    ],
  }),
  wrongItem: (x: Ctx): Scenario => ({
    subject: `Wrong size in order ${x.order}`,
    steps: [
      c(
        0,
        `Hi,\n\nI ordered the Trail 3 running shoes in size 42 but received size 44 (order ${x.order}). My race is in 10 days. Can you help?\n\n${x.first}`,
      ),
      a(
        65,
        `Hi ${x.first},\n\napologies for the mix-up! The correct size 42 ships today by express, so it will arrive well before your race. A prepaid label for the size 44 pair is in your account; there's no rush to send them back.\n\nGood luck with the race!\n${x.sig}`,
      ),
    ],
  }),
  unsubscribe: (x: Ctx): Scenario => ({
    subject: 'Stop emailing me',
    steps: [
      c(
        0,
        `I have unsubscribed THREE times and I still get your newsletter every day. Remove me from ALL your lists.`,
      ),
      a(
        120,
        `Hi ${x.first},\n\nI'm sorry. Your address was still on a list from our old shop system that the unsubscribe link didn't reach. I've removed it from every list we have; emails that were already scheduled may still arrive for up to 24 hours.\n\n${x.sig}`,
      ),
    ],
  }),
  suspension: (x: Ctx): Scenario => ({
    subject: `Suspension notice for invoice ${x.invoice}, but we paid`,
    steps: [
      c(
        0,
        `Hello,\n\nwe received a suspension notice for unpaid invoice ${x.invoice}, but we paid it on ${x.date} by bank transfer (reference ${x.invoice}). Please check and do NOT suspend our account, 40 people work in it every day.\n\n${x.first}`,
      ),
      n(
        12,
        `Found the payment in the bank feed: it was matched to another customer with a similar name. Correcting the allocation now.`,
      ),
      a(
        9,
        `Hi ${x.first},\n\nyou're absolutely right: your payment arrived but was matched to another account. I've corrected it and cancelled the suspension notice. Apologies for the scare.\n\n${x.sig}`,
      ),
      c(
        35,
        `Thanks. Could you send us a written confirmation that the invoice is settled? Our auditors will ask for it.`,
      ),
    ],
  }),
  missingItem: (x: Ctx): Scenario => ({
    subject: `Charging cable missing from order ${x.order}`,
    steps: [
      c(
        0,
        `Hi,\n\nmy order ${x.order} arrived but the USB-C charging cable is missing from the box. Everything else is there.\n\n${x.first}`,
      ),
      a(
        90,
        `Hi ${x.first},\n\nsorry about that! The cables are currently out of stock, with new ones due in our warehouse on Thursday. I've reserved one for you and it ships the same day; I'll send you the tracking number then.\n\n${x.sig}`,
      ),
      n(3, `Snoozed until the restock. Reserved cable for this customer in the warehouse system.`),
    ],
  }),

  // ----- X (public unless a step says dm)
  angryTweet: (x: Ctx): Scenario => ({
    steps: [
      c(
        0,
        `@acme three weeks and my order STILL hasn't arrived. Zero replies to my emails. Worst customer service ever. #fail`,
      ),
      a(
        18,
        `@${x.handle} We're sorry, ${x.first}, that's not OK. Please send us a DM with your order number and we'll look into it right now. ^${x.initials}`,
      ),
      c(12, `Order ${x.order}, paid on the 3rd.`, true),
      a(
        20,
        `Thanks! I can see it came back to our warehouse because the house number was missing on the label. I've re-shipped it by express today, tracking ${x.tracking}. Really sorry for the hassle.`,
        true,
      ),
      c(15, `ok thanks, appreciate the quick answer`, true),
    ],
  }),
  outage: (x: Ctx): Scenario => ({
    steps: [
      c(0, `@acme is the app down? Can't log in, it just keeps spinning. Anyone else?`),
      c(12, `@acme still nothing after 15 minutes and I have a deadline today`),
      a(
        9,
        `@${x.handle} Sorry ${x.first}! We had a log-in outage between 09:40 and 10:25 CET; everything is back to normal now. ^${x.initials}`,
      ),
      c(6, `@acme working again, thanks`),
    ],
  }),
  shoutout: (x: Ctx): Scenario => ({
    steps: [
      c(0, `Shoutout to @acme support, they fixed my billing mess in 10 minutes. This is how it's done 👏`),
      a(40, `@${x.handle} Thank you, ${x.first}! That made our day 💙 ^${x.initials}`),
    ],
  }),
  promoCode: (x: Ctx): Scenario => ({
    steps: [
      c(0, `Hi, my promo code SPRING20 says "expired" but your tweet said it's valid until Sunday?`),
      a(
        25,
        `Hi ${x.first}! You're right, the code was switched off a day early by mistake. I've applied the 20% to your basket manually, just refresh the checkout page.`,
      ),
      c(8, `Worked, thanks!`),
    ],
  }),
  deliveredNotHere: (x: Ctx): Scenario => ({
    steps: [
      c(0, `@acme my package says delivered but it's not here. Neighbours don't have it either. What now?`),
      a(
        30,
        `@${x.handle} Oh no! Please DM us your order number so we can open a claim with the carrier. ^${x.initials}`,
      ),
    ],
  }),
  chatbot: (x: Ctx): Scenario => ({
    steps: [
      c(0, `@acme your chatbot is useless. I want to talk to a human.`),
      a(
        25,
        `@${x.handle} Hi ${x.first}, a human here 👋 What can we help with? Feel free to DM us the details. ^${x.initials}`,
      ),
      c(
        20,
        `my card payment fails at checkout every single time, error P-203. tried two different cards`,
        true,
      ),
    ],
  }),

  // ----- Facebook (Messenger unless the thread is public comments)
  warranty: (x: Ctx): Scenario => ({
    steps: [
      c(0, `Hello, my Acme blender stopped working after 14 months. Is it still under warranty?`),
      a(
        80,
        `Hi ${x.first}, yes: our blenders have a 2-year warranty. Could you send us a photo of the serial number plate under the base?`,
      ),
      c(300, `Here it is, the serial is ${x.serial}`),
      a(
        45,
        `Thanks ${x.first}, that's covered! A replacement motor base ships tomorrow, and you'll get a prepaid label for the old one by email.`,
      ),
    ],
  }),
  updateComment: (x: Ctx): Scenario => ({
    steps: [
      c(0, `Your new app update deleted all my saved recipes. Thanks for nothing.`),
      a(
        35,
        `Hi ${x.first}, we're sorry for the fright! Your recipes weren't deleted: after the update they live in the new "Collections" tab. If you still can't see them, send us a message and we'll restore them for you.`,
      ),
      c(20, `found them, sorry for the rant 😅`),
    ],
  }),
  storeHours: (x: Ctx): Scenario => ({
    steps: [
      c(0, `Hi, is the Hamburg store open on Sunday?`),
      a(
        30,
        `Hi ${x.first}! The Hamburg store is closed on Sundays, but open on Saturdays from 10:00 to 20:00. See you there!`,
      ),
    ],
  }),
  priceIncrease: (_x: Ctx): Scenario => ({
    steps: [
      c(0, `Why did my monthly price go up from 9.99 to 12.99? Nobody told me anything about this.`),
      c(25, `Hello? I want an explanation or I'm cancelling.`),
    ],
  }),
  shipToSwitzerland: (x: Ctx): Scenario => ({
    steps: [
      c(0, `Do you ship to Switzerland? 🇨🇭`),
      a(
        45,
        `Hi ${x.first}! Yes, we do: delivery to Switzerland takes 3–5 business days and duties are included at checkout, so no surprises at the door.`,
      ),
    ],
  }),

  // ----- Instagram
  exchange: (x: Ctx): Scenario => ({
    steps: [
      c(0, `Hi! The jacket in M is too small, can I exchange it for an L?`),
      a(
        50,
        `Hi ${x.first}! Of course: start the exchange at acme.test/returns with your order number and choose "Exchange". The L is in stock 🙌`,
      ),
      c(15, `Done! thanks`),
    ],
  }),
  orderStatus: (x: Ctx): Scenario => ({
    steps: [
      c(0, `hey, ordered 5 days ago and still no shipping email?? ${x.order}`),
      a(
        60,
        `Hi ${x.first}! Sorry for the wait, your order ships today and you'll get the tracking link by email tonight.`,
      ),
      c(10, `ok great`),
    ],
  }),
  saleDiscount: (_x: Ctx): Scenario => ({
    steps: [
      c(0, `Saw your story about the sale but the discount isn't applied at checkout`),
      c(15, `hello? the sale ends tonight`),
    ],
  }),
  collab: (x: Ctx): Scenario => ({
    steps: [
      c(0, `Hi, I'm a content creator (45k followers), who can I talk to about a collaboration?`),
      a(
        120,
        `Hi ${x.first}! Thanks for reaching out 💛 Please email partnerships@acme.test with your media kit, and our marketing team will get back to you within a week.`,
      ),
    ],
  }),
  backInStock: (_x: Ctx): Scenario => ({
    steps: [
      c(0, `Is the green version of the Aero 2 coming back in stock?`),
      c(8, `would love to get it before my trip in 2 weeks 🙏`),
    ],
  }),
} satisfies Record<string, (x: Ctx) => Scenario>;

type ScenarioKey = keyof typeof SCENARIOS;

interface ThreadSpec {
  contact: string;
  channel: Channel;
  scenario: ScenarioKey;
  /** Keep only the first `take` steps (the conversation so far). */
  take?: number;
  status: Status;
  priority: Priority;
  assignee?: AgentKey;
  /** Defaults to the inbox's team. */
  team?: TeamKey;
  tags: string[];
  /** For threads not waiting on us: how long ago the last message was, in hours. */
  agoH?: number;
  /** For open threads waiting on us: where the running clock stands. */
  wait?: 'fresh' | 'risk' | 'breached';
  /** Social threads: public posts/comments, or private messages. */
  surface?: 'public' | 'dm';
  snoozeHours?: number;
  /** First assigned to this agent, then reassigned by the team's supervisor. */
  reassignedFrom?: AgentKey;
  reassignReason?: string;
}

const THREADS: ThreadSpec[] = [
  // customers on several channels: the customer panel shows their whole history
  {
    contact: 'james',
    channel: 'x',
    scenario: 'angryTweet',
    status: 'resolved',
    priority: 'high',
    assignee: 'grace',
    tags: ['shipping', 'escalated'],
    agoH: 214,
  },
  {
    contact: 'james',
    channel: 'email',
    scenario: 'damaged',
    status: 'pending',
    priority: 'normal',
    assignee: 'liam',
    tags: ['shipping', 'damaged'],
    agoH: 22,
  },
  {
    contact: 'emma',
    channel: 'instagram',
    scenario: 'exchange',
    status: 'resolved',
    priority: 'low',
    assignee: 'grace',
    tags: ['exchange'],
    agoH: 290,
  },
  {
    contact: 'emma',
    channel: 'email',
    scenario: 'refund',
    status: 'resolved',
    priority: 'normal',
    assignee: 'sofia',
    team: 'billing',
    tags: ['refund', 'billing'],
    agoH: 118,
  },
  {
    contact: 'emma',
    channel: 'x',
    scenario: 'shoutout',
    status: 'resolved',
    priority: 'low',
    assignee: 'grace',
    tags: ['compliment'],
    agoH: 95,
  },
  {
    contact: 'olivia',
    channel: 'email',
    scenario: 'doubleCharge',
    status: 'resolved',
    priority: 'normal',
    assignee: 'jonas',
    team: 'billing',
    tags: ['billing', 'double-charge'],
    agoH: 236,
  },
  {
    contact: 'olivia',
    channel: 'facebook',
    scenario: 'priceIncrease',
    status: 'open',
    priority: 'normal',
    assignee: 'sofia',
    tags: ['billing', 'pricing'],
    wait: 'risk',
  },
  {
    contact: 'lukas',
    channel: 'email',
    scenario: 'passwordReset',
    status: 'resolved',
    priority: 'normal',
    assignee: 'aiko',
    tags: ['login'],
    agoH: 190,
  },
  {
    contact: 'lukas',
    channel: 'webform',
    scenario: 'twoFactor',
    status: 'open',
    priority: 'normal',
    assignee: 'liam',
    team: 'tech',
    tags: ['login', '2fa'],
    wait: 'breached',
  },
  {
    contact: 'chloe',
    channel: 'instagram',
    scenario: 'orderStatus',
    status: 'resolved',
    priority: 'normal',
    assignee: 'mateo',
    tags: ['shipping'],
    agoH: 170,
  },
  {
    contact: 'chloe',
    channel: 'email',
    scenario: 'shippingDelay',
    status: 'snoozed',
    priority: 'normal',
    assignee: 'aiko',
    tags: ['shipping', 'carrier'],
    agoH: 40,
    snoozeHours: 44,
  },
  {
    contact: 'noah',
    channel: 'facebook',
    scenario: 'storeHours',
    status: 'resolved',
    priority: 'low',
    assignee: 'grace',
    tags: ['stores'],
    agoH: 262,
  },
  {
    contact: 'noah',
    channel: 'x',
    scenario: 'outage',
    status: 'resolved',
    priority: 'urgent',
    assignee: 'mateo',
    tags: ['outage', 'login'],
    agoH: 142,
  },
  {
    contact: 'noah',
    channel: 'email',
    scenario: 'accountLocked',
    take: 1,
    status: 'open',
    priority: 'urgent',
    assignee: 'liam',
    tags: ['login', 'suspended'],
    wait: 'breached',
  },
  {
    contact: 'isabella',
    channel: 'facebook',
    scenario: 'updateComment',
    surface: 'public',
    status: 'resolved',
    priority: 'normal',
    assignee: 'sofia',
    tags: ['app'],
    agoH: 212,
  },
  {
    contact: 'isabella',
    channel: 'email',
    scenario: 'gdpr',
    status: 'snoozed',
    priority: 'normal',
    assignee: 'marcus',
    tags: ['gdpr', 'privacy'],
    agoH: 70,
    snoozeHours: 96,
  },
  {
    contact: 'ethan',
    channel: 'x',
    scenario: 'promoCode',
    surface: 'dm',
    status: 'resolved',
    priority: 'normal',
    assignee: 'sofia',
    tags: ['promo'],
    agoH: 125,
  },
  {
    contact: 'ethan',
    channel: 'webform',
    scenario: 'teamPricing',
    take: 1,
    status: 'open',
    priority: 'normal',
    tags: ['sales', 'pricing'],
    wait: 'fresh',
  },

  // one channel each
  {
    contact: 'hannah',
    channel: 'email',
    scenario: 'exportBug',
    status: 'open',
    priority: 'high',
    assignee: 'aiko',
    tags: ['bug', 'export'],
    wait: 'risk',
    reassignedFrom: 'liam',
    reassignReason: 'Aiko wrote the exporter runbook; Liam is on the API escalation',
  },
  {
    contact: 'mohammed',
    channel: 'email',
    scenario: 'apiRateLimit',
    status: 'open',
    priority: 'high',
    assignee: 'liam',
    tags: ['api', 'rate-limit'],
    wait: 'breached',
  },
  {
    contact: 'sophie',
    channel: 'webform',
    scenario: 'addressChange',
    status: 'resolved',
    priority: 'normal',
    assignee: 'jonas',
    tags: ['shipping', 'address'],
    agoH: 98,
  },
  {
    contact: 'daniel',
    channel: 'email',
    scenario: 'invoiceVat',
    status: 'pending',
    priority: 'normal',
    assignee: 'jonas',
    team: 'billing',
    tags: ['invoice', 'vat'],
    agoH: 26,
  },
  {
    contact: 'mia',
    channel: 'instagram',
    scenario: 'saleDiscount',
    status: 'open',
    priority: 'normal',
    tags: ['promo'],
    wait: 'fresh',
  },
  {
    contact: 'benjamin',
    channel: 'x',
    scenario: 'deliveredNotHere',
    status: 'pending',
    priority: 'normal',
    assignee: 'grace',
    tags: ['shipping', 'lost-parcel'],
    agoH: 11,
  },
  {
    contact: 'ava',
    channel: 'facebook',
    scenario: 'warranty',
    take: 3,
    status: 'open',
    priority: 'normal',
    assignee: 'mateo',
    tags: ['warranty'],
    wait: 'breached',
  },
  {
    contact: 'felix',
    channel: 'email',
    scenario: 'cancel',
    status: 'pending',
    priority: 'normal',
    assignee: 'sofia',
    team: 'billing',
    tags: ['cancellation', 'churn'],
    agoH: 50,
  },
  {
    contact: 'zoe',
    channel: 'email',
    scenario: 'compliment',
    status: 'resolved',
    priority: 'low',
    assignee: 'marcus',
    tags: ['compliment'],
    agoH: 75,
  },
  {
    contact: 'ryan',
    channel: 'x',
    scenario: 'shoutout',
    status: 'resolved',
    priority: 'low',
    assignee: 'grace',
    tags: ['compliment'],
    agoH: 46,
  },
  {
    contact: 'lena',
    channel: 'webform',
    scenario: 'refund',
    take: 3,
    status: 'open',
    priority: 'normal',
    assignee: 'sofia',
    tags: ['refund', 'billing'],
    wait: 'risk',
  },
  {
    contact: 'carlos',
    channel: 'facebook',
    scenario: 'storeHours',
    status: 'resolved',
    priority: 'low',
    assignee: 'grace',
    tags: ['stores'],
    agoH: 150,
  },
  {
    contact: 'yuki',
    channel: 'instagram',
    scenario: 'collab',
    status: 'resolved',
    priority: 'low',
    assignee: 'grace',
    tags: ['partnership'],
    agoH: 196,
  },
  {
    contact: 'amelia',
    channel: 'email',
    scenario: 'damaged',
    status: 'pending',
    priority: 'normal',
    assignee: 'mateo',
    tags: ['shipping', 'damaged'],
    agoH: 68,
  },
  {
    contact: 'tomasz',
    channel: 'email',
    scenario: 'doubleCharge',
    take: 1,
    status: 'open',
    priority: 'normal',
    team: 'billing',
    tags: ['billing', 'double-charge'],
    wait: 'breached',
  },
  {
    contact: 'elif',
    channel: 'webform',
    scenario: 'uploadError',
    status: 'resolved',
    priority: 'low',
    assignee: 'aiko',
    team: 'tech',
    tags: ['bug', 'upload'],
    agoH: 120,
  },
  {
    contact: 'oscar',
    channel: 'x',
    scenario: 'chatbot',
    status: 'open',
    priority: 'normal',
    tags: ['payment', 'checkout'],
    wait: 'fresh',
  },
  {
    contact: 'ananya',
    channel: 'email',
    scenario: 'wrongItem',
    status: 'pending',
    priority: 'normal',
    assignee: 'liam',
    tags: ['shipping', 'wrong-item'],
    agoH: 20,
  },
  {
    contact: 'jack',
    channel: 'facebook',
    scenario: 'shipToSwitzerland',
    surface: 'public',
    status: 'resolved',
    priority: 'low',
    assignee: 'sofia',
    tags: ['shipping'],
    agoH: 308,
  },
  {
    contact: 'nora',
    channel: 'instagram',
    scenario: 'backInStock',
    status: 'open',
    priority: 'low',
    tags: ['stock'],
    wait: 'risk',
  },
  {
    contact: 'samuel',
    channel: 'email',
    scenario: 'suspension',
    status: 'open',
    priority: 'high',
    assignee: 'priya',
    team: 'billing',
    tags: ['billing', 'invoice', 'vip'],
    wait: 'fresh',
  },
  {
    contact: 'clara',
    channel: 'email',
    scenario: 'unsubscribe',
    status: 'resolved',
    priority: 'low',
    assignee: 'mateo',
    tags: ['newsletter'],
    agoH: 166,
  },
  {
    contact: 'lucas',
    channel: 'x',
    scenario: 'outage',
    take: 2,
    status: 'open',
    priority: 'urgent',
    tags: ['outage', 'login'],
    wait: 'risk',
  },
  {
    contact: 'ingrid',
    channel: 'email',
    scenario: 'accountLocked',
    status: 'resolved',
    priority: 'urgent',
    assignee: 'jonas',
    team: 'billing',
    tags: ['login', 'suspended'],
    agoH: 280,
  },
  {
    contact: 'diego',
    channel: 'facebook',
    scenario: 'warranty',
    status: 'pending',
    priority: 'normal',
    assignee: 'mateo',
    tags: ['warranty'],
    agoH: 30,
  },
  {
    contact: 'fatima',
    channel: 'webform',
    scenario: 'teamPricing',
    status: 'resolved',
    priority: 'normal',
    assignee: 'jonas',
    tags: ['sales', 'pricing'],
    agoH: 210,
  },
  {
    contact: 'william',
    channel: 'email',
    scenario: 'passwordReset',
    take: 1,
    status: 'open',
    priority: 'low',
    tags: ['login'],
    wait: 'breached',
  },
  {
    contact: 'henry',
    channel: 'email',
    scenario: 'missingItem',
    status: 'snoozed',
    priority: 'normal',
    assignee: 'aiko',
    tags: ['shipping', 'missing-item'],
    agoH: 28,
    snoozeHours: 20,
  },
];

// ---------------------------------------------------------------------------------------------
// SLA

const URGENT_POLICY = { firstResponseMinutes: 30, nextResponseMinutes: 60 };
const STANDARD_POLICY = { firstResponseMinutes: 240, nextResponseMinutes: 480 };
const WARNING_PERCENT = 75;

// ---------------------------------------------------------------------------------------------

type Role2 = 'customer' | 'agent' | 'note' | 'ack' | 'ooo';

interface PlannedMessage {
  role: Role2;
  text: string;
  at: Date;
  channel: Channel;
  isPublic: boolean;
  author: AgentKey | null;
}

interface PlannedClock {
  metric: SlaClock['metric'];
  status: SlaClock['status'];
  startedAt: Date;
  dueAt: Date;
  warnAt: Date;
  warnedAt: Date | null;
  metAt: Date | null;
  breachedAt: Date | null;
  pausedAt: Date | null;
  remainingMinutes: number | null;
  updatedAt: Date;
}

export async function seedDemo(ds: DataSource, opts: SeedDemoOptions = {}): Promise<SeedSummary> {
  const now = opts.now ?? new Date();
  const log = opts.log ?? (() => undefined);
  const base = { adminEmail: DEMO_ADMIN_EMAIL, password: DEMO_PASSWORD };

  return ds.transaction(async (m) => {
    const [{ exists }] = (await m.query(
      `SELECT EXISTS (SELECT 1 FROM agents WHERE lower(email) = lower($1)) AS exists`,
      [DEMO_ADMIN_EMAIL],
    )) as [{ exists: boolean }];
    if (exists) {
      log(`seed-demo: ${DEMO_ADMIN_EMAIL} already exists, nothing to do`);
      return {
        skipped: true,
        social: [],
        agents: 0,
        teams: 0,
        inboxes: 0,
        contacts: 0,
        threads: 0,
        messages: 0,
        ...base,
      };
    }
    await assertEmptyDesk(m);
    const counts = await build(m, now, log, opts);
    log(
      `seed-demo: ${counts.agents} agents, ${counts.teams} teams, ${counts.inboxes} inboxes, ${counts.contacts} contacts, ` +
        `${counts.threads} threads, ${counts.messages} messages; log in as ${DEMO_ADMIN_EMAIL} / ${DEMO_PASSWORD}`,
    );
    return { skipped: false, ...counts, ...base };
  });
}

/** The demo is for a fresh desk: refuse (rather than half-collide) when teams, inboxes or threads exist. */
async function assertEmptyDesk(m: EntityManager): Promise<void> {
  const [row] = (await m.query(
    `SELECT (SELECT count(*) FROM teams)::int AS teams, (SELECT count(*) FROM inboxes)::int AS inboxes, (SELECT count(*) FROM threads)::int AS threads`,
  )) as Array<{ teams: number; inboxes: number; threads: number }>;
  if (row && (row.teams > 0 || row.inboxes > 0 || row.threads > 0)) {
    throw new Error(
      `seed-demo fills an empty desk, but this database already has ${row.teams} teams, ${row.inboxes} inboxes and ${row.threads} threads`,
    );
  }
}

async function build(m: EntityManager, now: Date, log: (line: string) => void, opts: SeedDemoOptions = {}) {
  const rng = new Rng(20251123);
  const ago = (minutes: number) => new Date(now.getTime() - Math.round(minutes * MINUTE));

  // --- teams and agents
  const teams = await m.save(
    Team,
    TEAMS.map((t) => ({ name: t.name, description: t.description })),
  );
  const teamByKey = new Map<TeamKey, Team>(TEAMS.map((t, i) => [t.key, must(teams[i], 'team saved')]));
  const team = (k: TeamKey) => must(teamByKey.get(k), `team ${k}`);

  log('seed-demo: hashing the demo password (argon2id)');
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const agents = await m.save(
    Agent,
    AGENTS.map((s) => ({
      email: s.email,
      name: s.name,
      role: s.role,
      passwordHash,
      availability: s.availability,
      capacity: s.capacity,
      isActive: true,
      lastSeenAt:
        s.availability === 'online'
          ? ago(rng.int(0, 4))
          : s.availability === 'away'
            ? ago(rng.int(20, 70))
            : ago(rng.int(14 * 60, 40 * 60)),
      teams: s.teams.map(team),
      createdAt: ago(rng.int(60, 500) * 24 * 60),
    })),
  );
  const agentByKey = new Map<AgentKey, Agent>(AGENTS.map((s, i) => [s.key, must(agents[i], 'agent saved')]));
  const agent = (k: AgentKey) => must(agentByKey.get(k), `agent ${k}`);
  const membersOf = (k: TeamKey) =>
    AGENTS.filter((s) => s.teams.includes(k) && s.role === 'agent').map((s) => s.key);
  const supervisorOf = (k: TeamKey) =>
    must(
      TEAMS.find((t) => t.key === k),
      `team ${k}`,
    ).supervisor;

  // --- inboxes, calendar, policies
  const inboxes = await m.save(
    Inbox,
    INBOXES.map((s) => ({
      name: s.name,
      channel: s.channel,
      address: s.address,
      settings: opts.sandbox ? { ...s.settings, ...sandboxSettings(s.channel, opts.sandbox) } : s.settings,
      teamId: team(s.team).id,
      assignmentMode: s.mode,
      autoAckEnabled: s.channel === 'email' || s.channel === 'webform',
      ackTemplate: null,
      isActive: true,
    })),
  );
  const inboxSpec = (ch: Channel) =>
    must(
      INBOXES.find((i) => i.channel === ch),
      `inbox spec ${ch}`,
    );
  const inboxOf = (ch: Channel) =>
    must(
      inboxes.find((i) => i.channel === ch),
      `inbox ${ch}`,
    );

  const hours: Array<[string, string]> = [
    ['09:00', '12:00'],
    ['13:00', '18:00'],
  ];
  const year = now.getUTCFullYear();
  const [calendar] = await m.save(BusinessCalendar, [
    {
      name: 'Berlin office hours',
      timeZone: 'Europe/Berlin',
      weeklyHours: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sat: [], sun: [] },
      holidays: [
        `${year}-05-01`,
        `${year}-10-03`,
        `${year}-12-24`,
        `${year}-12-25`,
        `${year}-12-26`,
        `${year + 1}-01-01`,
      ],
    },
  ]);
  const calendarId = must(calendar, 'calendar saved').id;
  const [urgentPolicy, standardPolicy] = await m.save(SlaPolicy, [
    {
      name: 'Urgent',
      position: 0,
      conditions: { priorities: ['urgent', 'high'] },
      ...URGENT_POLICY,
      resolutionMinutes: 8 * 60,
      warningPercent: WARNING_PERCENT,
      stallMinutes: 60,
      autoReassignAfterMinutes: 45,
      escalation: [
        { afterMinutes: 20, action: 'notify_assignee' as const },
        { afterMinutes: 45, action: 'email_supervisors' as const },
      ],
      calendarId,
      isActive: true,
    },
    {
      name: 'Standard',
      position: 1,
      conditions: {},
      ...STANDARD_POLICY,
      resolutionMinutes: 3 * 24 * 60,
      warningPercent: WARNING_PERCENT,
      stallMinutes: 240,
      autoReassignAfterMinutes: null,
      escalation: [{ afterMinutes: 240, action: 'notify_assignee' as const }],
      calendarId,
      isActive: true,
    },
  ]);
  const urgent = must(urgentPolicy, 'urgent policy');
  const standard = must(standardPolicy, 'standard policy');
  const policyFor = (p: Priority) => (p === 'urgent' || p === 'high' ? urgent : standard);

  // --- conversations planned in memory first (times, roles, who), so contacts get their "since"
  const contactSpec = (key: string) =>
    must(
      CONTACTS.find((s) => s.key === key),
      `contact ${key}`,
    );
  const initials = (name: string) =>
    name
      .split(/\s+/)
      .map((w) => w.charAt(0).toUpperCase())
      .join('')
      .slice(0, 2);
  const firstName = (name: string) => must(name.split(/\s+/)[0], 'first name');
  const day = (d: Date) =>
    new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', timeZone: 'Europe/Berlin' }).format(d);

  interface Planned {
    spec: ThreadSpec;
    subject: string | null;
    teamKey: TeamKey;
    replier: AgentKey;
    messages: PlannedMessage[];
    clocks: PlannedClock[];
    ctx: Ctx;
  }

  const planned: Planned[] = [];
  for (const spec of THREADS) {
    const who = contactSpec(spec.contact);
    const inbox = inboxSpec(spec.channel);
    const teamKey = spec.team ?? inbox.team;
    const members = membersOf(teamKey);
    const replier: AgentKey = spec.assignee ?? rng.pick(members);
    const replierSpec = must(
      AGENTS.find((s) => s.key === replier),
      `agent ${replier}`,
    );
    if ((spec.channel === 'email' || spec.channel === 'webform') && !who.email)
      throw new Error(`seed-demo: ${who.key} has no email`);
    if (spec.channel === 'x' && !who.x) throw new Error(`seed-demo: ${who.key} has no X account`);
    if (spec.channel === 'facebook' && !who.facebook)
      throw new Error(`seed-demo: ${who.key} has no Facebook id`);
    if (spec.channel === 'instagram' && !who.instagram)
      throw new Error(`seed-demo: ${who.key} has no Instagram id`);

    const roughEnd = ago((spec.agoH ?? 2) * 60);
    const colleagueKey = rng.pick(membersOf('tech'));
    const ctx: Ctx = {
      first: firstName(who.name),
      fullName: who.name,
      handle: who.x ?? who.instagram ?? '',
      agent: firstName(replierSpec.name),
      sig: `${firstName(replierSpec.name)}\nAcme Support`,
      initials: initials(replierSpec.name),
      colleague: firstName(
        must(
          AGENTS.find((s) => s.key === colleagueKey),
          'colleague',
        ).name,
      ),
      order: `ACM-${rng.digits(6)}`,
      tracking: `JJD00${rng.digits(16)}`,
      amount: rng.pick(['49.00', '12.99', '89.90', '29.99', '119.00', '24.50']),
      last4: rng.digits(4),
      invoice: `INV-${year}-${rng.digits(5)}`,
      date: day(new Date(roughEnd.getTime() - rng.int(2, 6) * DAY)),
      dateLater: day(new Date(now.getTime() + rng.int(9, 20) * DAY)),
      domain: (who.email ?? 'example.com').replace(/^.*@/, ''),
      requestId: `req_${rng.base62(20)}`,
      serial: `BL-${rng.digits(4)}-${rng.base62(4).toUpperCase()}`,
      vatId: `DE${rng.digits(9)}`,
    };
    const scenario = SCENARIOS[spec.scenario](ctx);
    const steps = scenario.steps.slice(0, spec.take ?? scenario.steps.length);

    // roles, channels, visibility
    const social = spec.channel === 'x' || spec.channel === 'facebook' || spec.channel === 'instagram';
    const surface = spec.surface ?? (spec.channel === 'x' ? 'public' : 'dm');
    const rows: Array<Omit<PlannedMessage, 'at'> & { gap: number }> = [];
    steps.forEach((s, i) => {
      const channel: Channel = spec.channel === 'webform' && i > 0 ? 'email' : spec.channel;
      const isPublic = s.who === 'n' ? false : social ? surface === 'public' && !s.dm : true;
      const role: Role2 =
        s.who === 'c' ? 'customer' : s.who === 'a' ? 'agent' : s.who === 'n' ? 'note' : 'ooo';
      const author: AgentKey | null =
        role === 'agent'
          ? replier
          : role === 'note'
            ? (spec.assignee ?? (rng.next() < 0.5 ? supervisorOf(teamKey) : replier))
            : null;
      rows.push({
        role,
        text: s.text,
        channel: role === 'note' ? spec.channel : channel,
        isPublic,
        author,
        gap: i === 0 ? 0 : rng.around(s.gap),
      });
      if (i === 0 && inboxOf(spec.channel).autoAckEnabled) {
        rows.push({
          role: 'ack',
          text: '',
          channel: 'email',
          isPublic: true,
          author: null,
          gap: rng.around(1, 0.2),
        });
      }
    });
    if (rows.length < 2 || rows.length > 8)
      throw new Error(`seed-demo: thread ${spec.contact}/${spec.scenario} has ${rows.length} messages`);

    // offsets from the first message; then anchor in time
    const offsets: number[] = [];
    rows.reduce((acc, r) => {
      const o = acc + r.gap;
      offsets.push(o);
      return o;
    }, 0);
    const policy = policyFor(spec.priority);
    let anchorIndex = rows.length - 1;
    let anchorAgo = (spec.agoH ?? 1) * 60 + rng.int(-25, 25);
    if (spec.wait) {
      if (spec.status !== 'open')
        throw new Error(`seed-demo: a waiting thread must be open (${spec.contact})`);
      // the running clock starts at the first customer message after our last reply
      const lastReply = rows.map((r) => r.role).lastIndexOf('agent');
      anchorIndex = rows.findIndex((r, i) => i > lastReply && r.role === 'customer');
      if (anchorIndex < 0)
        throw new Error(`seed-demo: waiting thread without a customer message (${spec.contact})`);
      const minutes = lastReply >= 0 ? policy.nextResponseMinutes : policy.firstResponseMinutes;
      anchorAgo =
        spec.wait === 'risk'
          ? minutes * 0.78
          : spec.wait === 'breached'
            ? minutes * 2.5 + 37
            : Math.max(8, minutes * 0.3);
    } else if (spec.status === 'open') {
      throw new Error(`seed-demo: an open thread needs a wait state (${spec.contact})`);
    }
    const anchorAt = ago(anchorAgo).getTime() - rng.int(0, 40) * 1000;
    const anchorOffset = must(offsets[anchorIndex], 'anchor offset');
    const messages: PlannedMessage[] = rows.map((r, i) => ({
      role: r.role,
      text: r.text,
      channel: r.channel,
      isPublic: r.isPublic,
      author: r.author,
      at: new Date(anchorAt + Math.round((must(offsets[i], 'offset') - anchorOffset) * MINUTE)),
    }));
    const first = must(messages[0], 'first message').at;
    const last = must(messages[messages.length - 1], 'last message').at;
    if (last.getTime() >= now.getTime() - 30_000)
      throw new Error(`seed-demo: thread ${spec.contact}/${spec.scenario} ends in the future`);
    if (first.getTime() < now.getTime() - 14 * DAY)
      throw new Error(`seed-demo: thread ${spec.contact}/${spec.scenario} starts more than 14 days ago`);

    planned.push({
      spec,
      subject: spec.channel === 'email' || spec.channel === 'webform' ? (scenario.subject ?? null) : null,
      teamKey,
      replier,
      messages,
      clocks: planClocks(
        messages,
        spec.status,
        spec.priority === 'urgent' || spec.priority === 'high' ? URGENT_POLICY : STANDARD_POLICY,
        now,
      ),
      ctx,
    });
  }

  // --- contacts and identities
  const firstSeen = new Map<string, number>();
  for (const p of planned) {
    const t = must(p.messages[0], 'first message').at.getTime();
    firstSeen.set(p.spec.contact, Math.min(firstSeen.get(p.spec.contact) ?? t, t));
  }
  const contacts = await m.save(
    Contact,
    CONTACTS.map((s) => {
      const seen = firstSeen.get(s.key) ?? now.getTime() - 3 * DAY;
      const createdAt = new Date(
        s.sinceDays ? now.getTime() - s.sinceDays * DAY : seen - rng.int(1, 30) * 1000,
      );
      return {
        name: s.name,
        primaryEmail: s.email ?? null,
        tags: s.tags ?? [],
        mergedIntoId: null,
        createdAt,
        updatedAt: createdAt,
      };
    }),
  );
  const contactByKey = new Map<string, Contact>(
    CONTACTS.map((s, i) => [s.key, must(contacts[i], 'contact saved')]),
  );
  const contact = (k: string) => must(contactByKey.get(k), `contact ${k}`);

  const socialIds = new Map<string, { x?: string; facebook?: string; instagram?: string }>();
  const identities: Array<Partial<ContactIdentity>> = [];
  for (const s of CONTACTS) {
    const owner = contact(s.key);
    const ids: { x?: string; facebook?: string; instagram?: string } = {};
    const add = (kind: ContactIdentity['kind'], value: string, displayName: string | null) =>
      identities.push({
        contactId: owner.id,
        kind,
        value,
        normalizedValue: value.toLowerCase().replace(/^@/, ''),
        displayName,
        originalContactId: null,
        createdAt: owner.createdAt,
      });
    if (s.email) add('email', s.email, s.name);
    if (s.x) {
      ids.x = rng.next() < 0.4 ? rng.digits(rng.int(8, 10)) : rng.digits(19);
      add('x', ids.x, `@${s.x}`);
    }
    if (s.facebook) {
      ids.facebook = rng.digits(16);
      add('facebook', ids.facebook, s.name);
    }
    if (s.instagram) {
      ids.instagram = rng.digits(17);
      add('instagram', ids.instagram, `@${s.instagram}`);
      // the handle too: a caption mention names its author by username only (seed-social.ts posts one)
      if (opts.social === 'webhooks') add('instagram', `@${s.instagram}`, `@${s.instagram}`);
    }
    socialIds.set(s.key, ids);
  }
  await m.save(ContactIdentity, identities);

  // --- social conversations through the webhooks: planned here, posted by seed-social.ts after the
  // commit, so they reach the desk the way a network delivers them (signed webhook → inbound event
  // → worker); the contacts and identities above are what the desk's contact resolver finds
  const social: SocialDemoThread[] = [];
  if (opts.social === 'webhooks') {
    const isSocial = (p: Planned) => p.spec.channel === 'x' || p.spec.channel === 'facebook' || p.spec.channel === 'instagram';
    for (const p of planned.filter(isSocial)) {
      const who = contactSpec(p.spec.contact);
      social.push({
        channel: p.spec.channel as SocialDemoThread['channel'],
        inboxId: inboxOf(p.spec.channel).id,
        contact: { key: who.key, name: who.name, handle: (p.spec.channel === 'x' ? who.x : who.instagram) ?? null, ids: must(socialIds.get(who.key), 'social ids') },
        surface: p.spec.surface ?? (p.spec.channel === 'x' ? 'public' : 'dm'),
        messages: p.messages.filter((x) => x.role === 'customer').map((x) => ({ text: x.text, at: x.at, isPublic: x.isPublic })),
      });
    }
    planned.splice(0, planned.length, ...planned.filter((p) => !isSocial(p)));
  }

  // --- threads
  const threadRows = planned.map((p) => {
    const { spec, messages } = p;
    const customer = messages.filter((x) => x.role === 'customer');
    const agentMsgs = messages.filter((x) => x.role === 'agent');
    const lastMessageAt = must(messages[messages.length - 1], 'last').at;
    const lastCustomer = must(customer[customer.length - 1], 'customer message');
    const resolvedAt =
      spec.status === 'resolved' ? new Date(lastMessageAt.getTime() + rng.int(2, 9) * MINUTE) : null;
    const running = p.clocks.filter((k) => k.status === 'running').map((k) => k.dueAt.getTime());
    return {
      subject: p.subject,
      preview: previewOf(lastCustomer.text),
      contactId: contact(spec.contact).id,
      inboxId: inboxOf(spec.channel).id,
      channel: spec.channel,
      status: spec.status,
      priority: spec.priority,
      assigneeId: spec.assignee ? agent(spec.assignee).id : null,
      teamId: team(p.teamKey).id,
      tags: spec.tags,
      snoozedUntil:
        spec.status === 'snoozed' ? new Date(now.getTime() + (spec.snoozeHours ?? 24) * HOUR) : null,
      lastMessageAt,
      lastCustomerMessageAt: lastCustomer.at,
      lastAgentMessageAt: agentMsgs.length ? must(agentMsgs[agentMsgs.length - 1], 'agent message').at : null,
      slaDueAt: running.length ? new Date(Math.min(...running)) : null,
      resolvedAt,
      linkedThreadId: null,
      flags: {},
      createdAt: must(messages[0], 'first').at,
      updatedAt: resolvedAt ?? new Date(lastMessageAt.getTime() + MINUTE),
    };
  });
  const threads = await m.save(Thread, threadRows);

  // --- messages (now that thread numbers exist for the email subjects)
  const messageRows: Array<Partial<Message>> = [];
  const mailIds: Array<{
    header: string;
    source: 'inbound' | 'outbound';
    index: number;
    threadId: string;
    at: Date;
  }> = [];
  planned.forEach((p, ti) => {
    const thread = must(threads[ti], 'thread saved');
    const who = contactSpec(p.spec.contact);
    const owner = contact(p.spec.contact);
    const ids = must(socialIds.get(p.spec.contact), 'social ids');
    const tag = `[#${thread.number}]`;
    let previousMailId: string | null = null;
    let previousTweet: string | null = null;
    for (const msg of p.messages) {
      const inbound = msg.role === 'customer' || msg.role === 'ooo';
      const outbound = msg.role === 'agent' || msg.role === 'ack';
      let externalId: string | null = null;
      let subject: string | null = null;
      let metadata: Record<string, unknown> = {};
      let text = msg.text;
      if (msg.role === 'ack') {
        text =
          `Hi ${p.ctx.first},\n\nthanks for contacting Acme Support. We've received your message and opened ticket #${thread.number}. ` +
          `We answer within 4 business hours (Monday to Friday, 9:00–18:00 CET).\n\nTo add details, just reply to this email.\n\nAcme Support`;
      }
      if (msg.role !== 'note') {
        switch (msg.channel) {
          case 'email': {
            const email = must(who.email, 'email');
            externalId = outbound
              ? `${rng.uuid()}@${ACME_DOMAIN}`
              : `${rng.hex(16)}.${rng.hex(8)}@${email.replace(/^.*@/, '')}`;
            const base = p.subject ?? '';
            subject =
              msg.role === 'ooo'
                ? `Automatic reply: Re: ${base} ${tag}`
                : inbound && !previousMailId
                  ? base
                  : `Re: ${base} ${tag}`;
            metadata = outbound
              ? {
                  from: `Acme Support <${SUPPORT_ADDRESS}>`,
                  to: [email],
                  ...(previousMailId ? { inReplyTo: previousMailId } : {}),
                }
              : {
                  from: `${who.name} <${email}>`,
                  to: [SUPPORT_ADDRESS],
                  ...(previousMailId ? { inReplyTo: previousMailId } : {}),
                };
            if (msg.role === 'ooo') metadata = { ...metadata, autoSubmitted: 'auto-replied' };
            mailIds.push({
              header: externalId,
              source: outbound ? 'outbound' : 'inbound',
              index: messageRows.length,
              threadId: thread.id,
              at: msg.at,
            });
            previousMailId = externalId;
            break;
          }
          case 'webform':
            subject = p.subject;
            metadata = {
              form: 'Contact form',
              fields: { name: who.name, email: who.email ?? null, subject: p.subject },
            };
            break;
          case 'x': {
            externalId = snowflake(msg.at, rng);
            metadata = msg.isPublic
              ? { kind: 'tweet', ...(previousTweet ? { inReplyToTweetId: previousTweet } : {}) }
              : { kind: 'direct_message', ...(inbound ? { senderId: ids.x } : { recipientId: ids.x }) };
            if (msg.isPublic) previousTweet = externalId;
            break;
          }
          case 'facebook':
            externalId = msg.isPublic ? `${rng.digits(15)}_${rng.digits(16)}` : `m_${rng.base62(43)}`;
            metadata = msg.isPublic
              ? { kind: 'comment' }
              : { kind: 'message', ...(inbound ? { psid: ids.facebook } : {}) };
            break;
          case 'instagram':
            externalId = `aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx${rng.base62(36)}`;
            metadata = { kind: 'message', ...(inbound ? { igsid: ids.instagram } : {}) };
            break;
        }
      }
      messageRows.push({
        threadId: thread.id,
        direction: inbound ? 'inbound' : outbound ? 'outbound' : 'note',
        channel: msg.channel,
        externalId,
        contactId: inbound ? owner.id : null,
        authorAgentId: msg.author ? agent(msg.author).id : null,
        inboundEventId: null,
        subject,
        bodyText: text,
        visibleText: text,
        bodyHtml: null,
        isAutomatic: msg.role === 'ack' || msg.role === 'ooo',
        isPublic: msg.isPublic,
        deliveryState:
          inbound || msg.role === 'note' ? 'received' : msg.channel === 'email' ? 'sent' : 'delivered',
        deliveryError: null,
        metadata,
        createdAt: msg.at,
      });
    }
  });
  const messages = await m.save(Message, messageRows, { chunk: 200 });
  await m.save(
    MailMessageId,
    mailIds.map((x) => ({
      messageIdHeader: x.header,
      threadId: x.threadId,
      messageId: must(messages[x.index], 'message saved').id,
      source: x.source,
      createdAt: x.at,
    })),
  );

  // --- SLA clocks and breaches
  const clockRows: Array<Partial<SlaClock>> = [];
  planned.forEach((p, ti) => {
    const thread = must(threads[ti], 'thread saved');
    const policyId = policyFor(p.spec.priority).id;
    for (const k of p.clocks) {
      clockRows.push({ threadId: thread.id, policyId, ...k, createdAt: k.startedAt });
    }
  });
  const clocks = await m.save(SlaClock, clockRows);
  const breached = clocks.filter((k) => k.status === 'breached');
  await m.save(
    SlaBreach,
    breached.map((k) => ({
      clockId: k.id,
      threadId: k.threadId,
      dueAt: k.dueAt,
      breachedAt: must(k.breachedAt, 'breachedAt'),
      createdAt: must(k.breachedAt, 'breachedAt'),
    })),
  );

  // --- audit trail: assignments, status changes, breaches
  const audit: Array<Partial<AuditEvent>> = [];
  planned.forEach((p, ti) => {
    const thread = must(threads[ti], 'thread saved');
    const { spec, messages: msgs } = p;
    const first = must(msgs[0], 'first').at.getTime();
    const firstReply = msgs.find((x) => x.role === 'agent')?.at.getTime() ?? now.getTime();
    const mode = inboxSpec(spec.channel).mode;
    if (spec.assignee) {
      const assignAt = first + Math.min(3 * MINUTE, (firstReply - first) / 3);
      const firstAssignee = spec.reassignedFrom ?? spec.assignee;
      const bySystem = mode !== 'manual';
      const manualActor = rng.next() < 0.5 ? firstAssignee : supervisorOf(p.teamKey);
      audit.push({
        threadId: thread.id,
        actorKind: bySystem ? 'system' : 'agent',
        actorAgentId: bySystem ? null : agent(manualActor).id,
        action: 'thread.reassigned',
        reason: bySystem
          ? `automatic assignment (${mode.replace('_', ' ')})`
          : manualActor === firstAssignee
            ? 'took the thread'
            : null,
        data: { from: { assigneeId: null }, to: { assigneeId: agent(firstAssignee).id } },
        createdAt: new Date(assignAt),
      });
      if (spec.reassignedFrom) {
        audit.push({
          threadId: thread.id,
          actorKind: 'agent',
          actorAgentId: agent(supervisorOf(p.teamKey)).id,
          action: 'thread.reassigned',
          reason: spec.reassignReason ?? null,
          data: {
            from: { assigneeId: agent(spec.reassignedFrom).id },
            to: { assigneeId: agent(spec.assignee).id },
          },
          createdAt: new Date(assignAt + (firstReply - assignAt) / 2),
        });
      }
    }
    if (spec.status !== 'open') {
      const lastAgent = [...msgs].reverse().find((x) => x.role === 'agent' || x.role === 'note');
      const actor = lastAgent?.author ?? spec.assignee ?? p.replier;
      const at = thread.resolvedAt ?? new Date(must(msgs[msgs.length - 1], 'last').at.getTime() + 30_000);
      audit.push({
        threadId: thread.id,
        actorKind: 'agent',
        actorAgentId: agent(actor).id,
        action: 'thread.updated',
        reason: null,
        data: {
          from: { status: 'open' },
          to: {
            status: spec.status,
            ...(thread.snoozedUntil ? { snoozedUntil: thread.snoozedUntil.toISOString() } : {}),
          },
        },
        createdAt: at,
      });
    }
  });
  for (const k of breached) {
    audit.push({
      threadId: k.threadId,
      actorKind: 'system',
      actorAgentId: null,
      action: 'sla.breached',
      reason: null,
      data: { clockId: k.id, metric: k.metric, dueAt: k.dueAt.toISOString() },
      createdAt: must(k.breachedAt, 'breachedAt'),
    });
  }
  audit.sort((x, y) => must(x.createdAt, 'audit time').getTime() - must(y.createdAt, 'audit time').getTime());
  await m.save(AuditEvent, audit);

  return {
    agents: agents.length,
    teams: teams.length,
    inboxes: inboxes.length,
    contacts: contacts.length,
    threads: threads.length,
    messages: messages.length,
    social,
  };
}

/**
 * One clock per stretch of waiting on us: it starts at the first customer message after our last
 * reply and ends at our next reply (met, or breached if late). Wall-clock minutes for the demo.
 */
function planClocks(
  messages: PlannedMessage[],
  status: Status,
  policy: { firstResponseMinutes: number; nextResponseMinutes: number },
  now: Date,
): PlannedClock[] {
  const clocks: PlannedClock[] = [];
  let open: { metric: SlaClock['metric']; startedAt: Date; dueAt: Date; warnAt: Date } | null = null;
  let replied = false;
  const start = (at: Date) => {
    const metric = replied ? 'next_response' : 'first_response';
    const minutes = replied ? policy.nextResponseMinutes : policy.firstResponseMinutes;
    return {
      metric,
      startedAt: at,
      dueAt: new Date(at.getTime() + minutes * MINUTE),
      warnAt: new Date(at.getTime() + (minutes * WARNING_PERCENT * MINUTE) / 100),
    } as const;
  };
  const warned = (warnAt: Date, until: Date) => (warnAt.getTime() <= until.getTime() ? warnAt : null);
  for (const msg of messages) {
    if (msg.role === 'customer' && !open) open = start(msg.at);
    if (msg.role === 'agent') {
      if (open) {
        const late = msg.at.getTime() > open.dueAt.getTime();
        clocks.push({
          ...open,
          status: late ? 'breached' : 'met',
          warnedAt: warned(open.warnAt, msg.at),
          metAt: late ? null : msg.at,
          breachedAt: late ? open.dueAt : null,
          pausedAt: null,
          remainingMinutes: null,
          updatedAt: late ? open.dueAt : msg.at,
        });
        open = null;
      }
      replied = true;
    }
  }
  if (open) {
    const last = must(messages[messages.length - 1], 'last').at;
    if (status === 'open') {
      const late = open.dueAt.getTime() <= now.getTime();
      clocks.push({
        ...open,
        status: late ? 'breached' : 'running',
        warnedAt: warned(open.warnAt, now),
        metAt: null,
        breachedAt: late ? open.dueAt : null,
        pausedAt: null,
        remainingMinutes: null,
        updatedAt: late ? open.dueAt : (warned(open.warnAt, now) ?? open.startedAt),
      });
    } else if (status === 'resolved') {
      // a closing "thanks!" needs no answer: the clock it started is cancelled by the resolution
      clocks.push({
        ...open,
        status: 'cancelled',
        warnedAt: null,
        metAt: null,
        breachedAt: null,
        pausedAt: null,
        remainingMinutes: null,
        updatedAt: last,
      });
    } else {
      const elapsed = (last.getTime() - open.startedAt.getTime()) / MINUTE;
      const total = (open.dueAt.getTime() - open.startedAt.getTime()) / MINUTE;
      clocks.push({
        ...open,
        status: 'paused',
        warnedAt: null,
        metAt: null,
        breachedAt: null,
        pausedAt: last,
        remainingMinutes: Math.max(0, total - elapsed),
        updatedAt: last,
      });
    }
  }
  return clocks;
}

function previewOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 140 ? `${flat.slice(0, 139)}…` : flat;
}

/** An X id as X makes them: milliseconds since the X epoch in the high bits, so ids sort by time. */
function snowflake(at: Date, rng: Rng): string {
  return ((BigInt(at.getTime()) - 1288834974657n) * 4194304n + BigInt(rng.int(0, 4194303))).toString();
}
