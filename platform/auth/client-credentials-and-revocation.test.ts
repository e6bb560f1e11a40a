import { decodeJwt } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insecureRequests, startTestPlatform, TestOAuthClient, type TestPlatform } from '../test-support.ts';

let platform: TestPlatform;
let as: oauth.AuthorizationServer;

beforeAll(async () => {
  platform = await startTestPlatform();
  as = (await TestOAuthClient.forBff(platform)).as;
});
afterAll(() => platform.dispose());

async function clientCredentials(secret: string, scope: string) {
  const { id } = platform.config.automationClient;
  const response = await oauth.clientCredentialsGrantRequest(
    as,
    { client_id: id },
    oauth.ClientSecretBasic(secret),
    { scope },
    insecureRequests,
  );
  return oauth.processClientCredentialsResponse(as, { client_id: id }, response);
}

describe('client credentials (the automation service account)', () => {
  it('issues a device-API access token with the requested scopes and no refresh token', async () => {
    const tokens = await clientCredentials(platform.config.automationClient.secret, 'devices:read jobs:run');
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.expires_in).toBe(900);
    const claims = decodeJwt(tokens.access_token);
    expect(claims.aud).toBe('urn:iot:device-api');
    expect(claims.client_id).toBe('iot-automation');
    expect(claims.scope).toBe('devices:read jobs:run');
    expect(platform.stats.current.tokenRequests.client_credentials).toBeGreaterThanOrEqual(1);
  });

  it('refuses a wrong secret with 401 invalid_client in the WWW-Authenticate challenge', async () => {
    await expect(clientCredentials('not-the-secret-at-all', 'devices:read')).rejects.toMatchObject({
      status: 401,
      cause: [{ scheme: 'basic', parameters: { error: 'invalid_client' } }],
    });
  });

  it('grants only scopes of the device API, dropping unknown ones (RFC 6749 section 3.3)', async () => {
    const tokens = await clientCredentials(platform.config.automationClient.secret, 'devices:read admin');
    expect(tokens.scope).toBe('devices:read');
    expect(decodeJwt(tokens.access_token).scope).toBe('devices:read');
  });

  it('does not let the BFF client use client credentials', async () => {
    const { id, secret } = platform.config.bffClient;
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      { client_id: id },
      oauth.ClientSecretBasic(secret),
      {},
      insecureRequests,
    );
    // oidc-provider answers a grant type the client is not registered for with invalid_request.
    await expect(
      oauth.processClientCredentialsResponse(as, { client_id: id }, response),
    ).rejects.toMatchObject({
      error: 'invalid_request',
      status: 400,
    });
  });
});

describe('revocation (RFC 7009)', () => {
  it('kills a refresh token and counts the revocation', async () => {
    const client = await TestOAuthClient.forBff(platform);
    const { tokens } = await client.signIn('operator', 'operator');
    const before = platform.stats.current.revocations;
    await client.revoke(tokens.refresh_token ?? '');
    expect(await client.refreshOutcome(tokens.refresh_token ?? '')).toBe('invalid_grant');
    expect(platform.stats.current.revocations).toBe(before + 1);
  });

  it('answers 200 for an unknown token, as the RFC says', async () => {
    const client = await TestOAuthClient.forBff(platform);
    await expect(client.revoke('no-such-token')).resolves.toBeUndefined();
  });
});
