import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, TestOAuthClient, type TestPlatform } from '../test-support.ts';

// A stand-in for the BFF's back-channel logout receiver, on loopback like the demo BFF.
let receiver: Server;
const logoutTokens: string[] = [];
let platform: TestPlatform;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      if (req.url === '/bff/backchannel-logout') {
        logoutTokens.push(new URLSearchParams(body).get('logout_token') ?? '');
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const appUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  platform = await startTestPlatform({ APP_URL: appUrl });
});
afterAll(async () => {
  await platform.dispose();
  receiver.close();
});

describe('RP-initiated logout with back-channel logout', () => {
  it('shows a confirmation page, signs out, redirects to the app and notifies the BFF by back-channel', async () => {
    const client = await TestOAuthClient.forBff(platform);
    const { tokens } = await client.signIn('operator', 'operator');
    const sid = decodeJwt(tokens.id_token ?? '').sid;

    const endSession = new URL(String(client.as.end_session_endpoint));
    endSession.search = new URLSearchParams({
      client_id: 'iot-bff',
      post_logout_redirect_uri: `${platform.config.appUrl}/`,
    }).toString();
    const confirm = await client.browser.fetch(endSession);
    expect(confirm.status).toBe(200);
    const html = await confirm.text();
    expect(html).not.toContain('<script');
    expect(html).toContain('Yes, sign me out');
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1] ?? '';
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(xsrf).not.toBe('');

    const submitted = await client.browser.fetch(new URL(action, endSession), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }),
    });
    const { location } = await client.browser.follow(
      new URL(submitted.headers.get('location') ?? '', endSession).href,
      platform.config.appUrl,
    );
    expect(location).toBe(`${platform.config.appUrl}/`);

    // The logout token reached the loopback receiver (demo mode lifts the SSRF guard) and is valid.
    expect(logoutTokens).toHaveLength(1);
    const jwks = await (await fetch(String(client.as.jwks_uri))).json();
    const { payload, protectedHeader } = await jwtVerify(logoutTokens[0] ?? '', createLocalJWKSet(jwks), {
      issuer: platform.issuer,
      audience: 'iot-bff',
    });
    expect(protectedHeader.typ).toBe('logout+jwt');
    expect(payload.sid).toBe(sid);
    expect(payload.sub).toBe('usr-operator-0001');
    expect(payload.events).toEqual({ 'http://schemas.openid.net/event/backchannel-logout': {} });
    expect(payload.nonce).toBeUndefined();
    expect(platform.stats.current.backchannelLogouts.delivered).toBe(1);

    // The SSO session is gone: the next prompt=none authorization needs the user again.
    expect(await client.refreshOutcome(tokens.refresh_token ?? '')).toBe('invalid_grant');
  });
});
