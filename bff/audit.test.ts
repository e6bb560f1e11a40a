import { describe, expect, it } from 'vitest';
import { auditLine, createAuditLog } from './audit.ts';

describe('audit log', () => {
  it('writes one JSON line per event with a timestamp', () => {
    const lines: string[] = [];
    createAuditLog((line) => lines.push(line)).record('sign_in', {
      sub: 'u1',
      roles: ['operator'],
      skipped: undefined,
    });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      time: expect.any(String),
      level: 'audit',
      event: 'sign_in',
      sub: 'u1',
      roles: ['operator'],
    });
  });

  it.each(['refreshToken', 'access_token', 'clientSecret', 'cookie', 'authorization', 'code_verifier'])(
    'refuses a field named %s so a token cannot reach a log line',
    (field) => {
      expect(() => auditLine('logout', { [field]: 'x' })).toThrow(field);
    },
  );
});
