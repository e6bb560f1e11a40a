import { describe, expect, it } from 'vitest';
import { logoutDestination } from './logout-destination.ts';

const APP = 'http://localhost:3000';

describe('after POST /bff/logout', () => {
  it("goes to the identity provider's logout endpoint with state=signed-out", () => {
    const destination = logoutDestination(
      'http://127.0.0.1:4000/session/end?client_id=iot-bff&post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A3000%2F',
      APP,
    );
    expect(destination.kind).toBe('identity-provider');
    const url = new URL(destination.kind === 'identity-provider' ? destination.url : '');
    expect(url.origin).toBe('http://127.0.0.1:4000');
    expect(url.searchParams.get('client_id')).toBe('iot-bff');
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe('http://localhost:3000/');
    expect(url.searchParams.get('state')).toBe('signed-out');
  });

  it("goes to the signed-out page when the BFF has no logout endpoint to offer ('/')", () => {
    expect(logoutDestination('/', APP)).toEqual({ kind: 'signed-out-page' });
    expect(logoutDestination('javascript:alert(1)', APP)).toEqual({ kind: 'signed-out-page' });
  });
});
