import { z } from 'zod';

/**
 * The one typed configuration of the desk, read from environment variables.
 * A missing or malformed value stops start-up with one line naming the variable.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\/[^\s]+$/.test(v) && URL.canParse(v), 'must be a postgres:// URL');
const redisUrl = z.string().refine((v) => /^rediss?:\/\/[^\s]*$/.test(v) && URL.canParse(v), 'must be a redis:// URL');

export const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: postgresUrl,
  REDIS_URL: redisUrl,
  /** Every BullMQ queue and Redis key of this deployment starts with it (tests use a unique one). */
  REDIS_PREFIX: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'letters, digits, - and _ only').default('desk'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: z.url().optional(),
  APP_SECRET: z.string().min(32, 'must be at least 32 characters'),
  DATA_DIR: z.string().min(1).default('./.data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(12),
  LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(5),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  RUN_MIGRATIONS: bool.default(true),
  /** Postgres connections per process. */
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(24),
  /** Parameterized statements are prepared once per connection; false behind a transaction-pooling pgbouncer < 1.21. */
  DB_PREPARED_STATEMENTS: bool.default(true),
  /**
   * Ingest jobs one worker process runs at once; they are handled in batches (INGEST_BATCH_SIZE).
   * Each holds its mail until it ends, so this × MAX_MESSAGE_BYTES bounds that memory (worst case).
   */
  INGEST_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(256),
  /**
   * Most ingest jobs of one worker handled together (one commit statement, one round of hooks); 1
   * handles each alone. Batches form only under load: a quiet worker's batch is one mail.
   */
  INGEST_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(128),
  CONSOLE_DIST: z.string().optional(),
  /** Bearer token for Prometheus scrapes of /metrics (admins can also look with their session). */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Inbound SMTP listener of the worker. */
  SMTP_LISTEN_HOST: z.string().default('127.0.0.1'),
  SMTP_LISTEN_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
  SMTP_ENABLED: bool.default(true),
  /** Outbound relay, e.g. smtp://user:pass@smtp.example.com:587; unset = replies wait in the outbox. */
  SMTP_RELAY_URL: z.string().refine((v) => /^smtps?:\/\//.test(v) && URL.canParse(v), 'must be an smtp:// or smtps:// URL').optional(),
  MAIL_DOMAIN: z.string().optional(),
  MAX_MESSAGE_BYTES: z.coerce.number().int().min(1024).default(25 * 1024 * 1024),
  MAX_ATTACHMENT_BYTES: z.coerce.number().int().min(1024).default(10 * 1024 * 1024),
  /** A mail matching a thread resolved longer ago than this opens a new thread linked to it. */
  THREAD_REOPEN_MAX_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  /** A contact opening this many new threads within the window gets its threads flagged as repeat contacts. */
  REPEAT_CONTACT_THRESHOLD: z.coerce.number().int().min(2).max(1000).default(3),
  REPEAT_CONTACT_WINDOW_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  /** Public web forms: accepted posts per client IP and per email address, per rolling hour. */
  WEBFORM_RATE_PER_IP_PER_HOUR: z.coerce.number().int().min(1).default(20),
  WEBFORM_RATE_PER_EMAIL_PER_HOUR: z.coerce.number().int().min(1).default(5),
  /** Linking an email identity: `jane+shop@x` is matched as `jane@x`. */
  CONTACT_STRIP_PLUS_ADDRESSING: bool.default(false),
  /** After an automatic acknowledgement, a thread gets no other one for this many hours. */
  AUTO_ACK_QUIET_HOURS: z.coerce.number().min(0).max(24 * 365).default(24),
});

type Raw = z.infer<typeof ConfigSchema>;
export interface AppConfig extends Raw {
  PUBLIC_URL: string;
  MAIL_DOMAIN: string;
  COOKIE_SECURE: boolean;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const empty = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(ConfigSchema.shape)) input[key] = empty(env[key]);
  const parsed = ConfigSchema.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    const name = String(first.path[0] ?? 'config');
    const why = input[name] === undefined ? 'is required but not set' : first.message;
    throw new ConfigError(`Invalid configuration: ${name} ${why}`);
  }
  const c = parsed.data;
  const publicUrl = (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, '');
  return {
    ...c,
    PUBLIC_URL: publicUrl,
    MAIL_DOMAIN: c.MAIL_DOMAIN ?? new URL(publicUrl).hostname,
    COOKIE_SECURE: publicUrl.startsWith('https://'),
  };
}

/** For log lines: never print a password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}
