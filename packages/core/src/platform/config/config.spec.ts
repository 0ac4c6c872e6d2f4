import { loadConfig, ConfigError, redactUrl } from './config';

const good = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/desk',
  REDIS_URL: 'redis://127.0.0.1:6379',
  APP_SECRET: 'x'.repeat(32),
};

describe('loadConfig', () => {
  it('applies defaults', () => {
    const c = loadConfig(good);
    expect(c.PORT).toBe(3000);
    expect(c.DATA_DIR).toBe('./.data');
    expect(c.PUBLIC_URL).toBe('http://localhost:3000');
    expect(c.MAIL_DOMAIN).toBe('localhost');
    expect(c.COOKIE_SECURE).toBe(false);
  });

  it('names a missing variable in one line', () => {
    expect(() => loadConfig({ ...good, DATABASE_URL: undefined })).toThrow(
      new ConfigError('Invalid configuration: DATABASE_URL is required but not set'),
    );
  });

  it('names a malformed variable', () => {
    expect(() => loadConfig({ ...good, DATABASE_URL: 'mysql://nope' })).toThrow(/DATABASE_URL must be a postgres:\/\/ URL/);
    expect(() => loadConfig({ ...good, PORT: 'abc' })).toThrow(/^Invalid configuration: PORT /);
    expect(() => loadConfig({ ...good, APP_SECRET: 'short' })).toThrow(/APP_SECRET must be at least 32 characters/);
  });

  it('marks cookies secure behind https', () => {
    expect(loadConfig({ ...good, PUBLIC_URL: 'https://desk.example.com/' }).COOKIE_SECURE).toBe(true);
  });

  it('redacts passwords', () => {
    expect(redactUrl('postgres://u:secret@h/db')).toBe('postgres://u:***@h/db');
  });
});
