import { describe, expect, it } from 'vitest';
import { loadBffConfig } from './config.ts';

describe('BFF configuration', () => {
  it('runs on embedded defaults against the local platform', () => {
    const config = loadBffConfig({});
    expect(config.appUrl).toBe('http://localhost:3000');
    expect(config.issuer).toBe('http://127.0.0.1:4000');
    expect(config.allowHttpIssuer).toBe(true); // loopback only
    expect(config.redirectUri).toBe('http://localhost:3000/bff/callback');
    expect(config.postLogoutRedirectUri).toBe('http://localhost:3000/');
    expect(config.refreshLeewaySeconds).toBe(60);
    expect(config.cookieSecrets).toBeUndefined(); // generated in the data folder
    expect(config.https).toBe(false);
  });

  it('parses several cookie secrets for rotation', () => {
    const config = loadBffConfig({ COOKIE_SECRETS: `2:${'b'.repeat(32)}, 1:${'a'.repeat(32)}` });
    expect(config.cookieSecrets).toEqual({ 1: 'a'.repeat(32), 2: 'b'.repeat(32) });
  });

  it.each([
    ['OIDC_ISSUER', 'http://idp.example.com'],
    ['OIDC_ISSUER', 'not a url'],
    ['APP_URL', 'ftp://x'],
    ['COOKIE_SECRETS', 'short'],
    ['COOKIE_SECRETS', `0:${'a'.repeat(32)}`],
    ['COOKIE_SECRETS', '1:too-short'],
    ['REFRESH_LEEWAY_SECONDS', '-1'],
    ['OIDC_SCOPES', 'profile email'],
    ['OIDC_CLIENT_AUTH', 'private_key_jwt'],
    ['PORT', 'eighty'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    expect(() => loadBffConfig({ [name]: value })).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    );
    expect(() => loadBffConfig({ [name]: value })).toThrow(name);
  });

  it('accepts a plain-http issuer elsewhere only when explicitly allowed', () => {
    expect(
      loadBffConfig({ OIDC_ISSUER: 'http://idp.internal', OIDC_ALLOW_HTTP: 'true' }).allowHttpIssuer,
    ).toBe(true);
    expect(loadBffConfig({ OIDC_ISSUER: 'https://idp.example.com/realms/iot' }).issuer).toBe(
      'https://idp.example.com/realms/iot',
    );
  });

  it('turns automation jobs on with the service account secret, and off on request', () => {
    expect(loadBffConfig({}).jobs).toBeUndefined();
    const on = loadBffConfig({ AUTOMATION_CLIENT_SECRET: 'automation-secret-0123' });
    expect(on.jobs).toMatchObject({
      clientId: 'iot-automation',
      databaseUrl: undefined,
      scope: 'devices:read devices:command jobs:run',
      idpRetryBudgetSeconds: 30,
      autoResumeSeconds: 60,
    });
    expect(
      loadBffConfig({ AUTOMATION_CLIENT_SECRET: 'x'.repeat(20), JOBS_ENABLED: 'false' }).jobs,
    ).toBeUndefined();
    expect(
      loadBffConfig({
        AUTOMATION_CLIENT_SECRET: 'x'.repeat(20),
        DATABASE_URL: 'postgres://jobs@db.internal:5432/jobs',
      }).jobs?.databaseUrl,
    ).toBe('postgres://jobs@db.internal:5432/jobs');
  });

  it.each([
    ['DATABASE_URL', 'mysql://db/jobs'],
    ['JOBS_LEASE_SECONDS', '1'],
    ['JOBS_CONCURRENCY', '0'],
    ['JOBS_ENABLED', 'maybe'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => loadBffConfig({ [name]: value })).toThrow(name);
  });
});
