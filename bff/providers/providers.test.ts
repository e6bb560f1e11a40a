import { describe, expect, it } from 'vitest';
import { claimAt, refreshErrorClass, resolveProviderProfile, rolesClaim, stringClaim } from './index.ts';

describe('claims by path', () => {
  const claims = {
    name: 'Olivia',
    realm_access: { roles: ['operator', 'auditor'] },
    groups: 'operator, viewer',
    'https://example.com/roles': ['admin'],
    empty: [],
    nested: { name: 42 },
  };

  it('reads a claim name, a dotted path, and a namespaced name that contains dots', () => {
    expect(claimAt(claims, 'name')).toBe('Olivia');
    expect(claimAt(claims, 'realm_access.roles')).toEqual(['operator', 'auditor']);
    expect(claimAt(claims, 'https://example.com/roles')).toEqual(['admin']);
    expect(claimAt(claims, 'realm_access.missing')).toBeUndefined();
    expect(claimAt(claims, 'constructor')).toBeUndefined();
    expect(claimAt(claims, '__proto__.toString')).toBeUndefined();
  });

  it('takes roles as an array or one separated string, and tells absent from empty', () => {
    expect(rolesClaim(claims, ['realm_access.roles'])).toEqual(['operator', 'auditor']);
    expect(rolesClaim(claims, ['groups'])).toEqual(['operator', 'viewer']);
    expect(rolesClaim(claims, ['missing', 'https://example.com/roles'])).toEqual(['admin']);
    expect(rolesClaim(claims, ['empty'])).toEqual([]);
    expect(rolesClaim(claims, ['missing'])).toBeUndefined();
  });

  it('takes the first non-empty string for a name', () => {
    expect(stringClaim(claims, ['nested.name', 'name'])).toBe('Olivia');
    expect(stringClaim(claims, ['missing'])).toBeUndefined();
  });
});

describe('provider profiles', () => {
  it('override claim locations from configuration', () => {
    const profile = resolveProviderProfile('standard', { rolesClaim: 'groups' });
    expect(profile.rolesClaims).toEqual(['groups']);
    expect(profile.nameClaims).toEqual(['name', 'preferred_username']);
    expect(resolveProviderProfile('keycloak').rolesClaims[0]).toBe('realm_access.roles');
  });

  it.each([
    [400, 'invalid_grant', 'grant_rejected'],
    [400, 'invalid_request', 'grant_rejected'], // a provider that says this for a dead refresh token
    [400, 'invalid_scope', 'grant_rejected'],
    [401, 'invalid_client', 'client_rejected'],
    [400, 'unauthorized_client', 'client_rejected'],
    [400, 'temporarily_unavailable', 'transient'],
    [503, 'temporarily_unavailable', 'transient'],
    [500, 'server_error', 'transient'],
    [429, 'slow_down', 'transient'],
    [400, 'toString', 'grant_rejected'], // an inherited name is not a mapping
  ] as const)('a refresh answered %i %s is %s', (status, code, expected) => {
    expect(refreshErrorClass(resolveProviderProfile('standard'), status, code)).toBe(expected);
  });
});
