import { describe, expect, it } from 'vitest';
import { loadPlatformConfig } from './config.ts';

describe('platform configuration', () => {
  it('has the platform defaults (15 min tokens, 30 min idle, 2 h absolute)', () => {
    const config = loadPlatformConfig({});
    expect(config.accessTokenTtl).toBe(900);
    expect(config.refreshTokenIdleTtl).toBe(1800);
    expect(config.refreshTokenAbsoluteTtl).toBe(7200);
    expect(config.sessionTtl).toBe(43_200);
    expect(config.rotateRefreshTokens).toBe(true);
    expect(config.authPort).toBe(4000);
    expect(config.apiPort).toBe(4100);
    expect(config.appUrl).toBe('http://localhost:3000');
    expect(config.authProfile).toBe('strict');
    expect(config.firmwareUpdateMs).toBe(20_000);
    expect(config.firmwareFailureRate).toBe(0.05);
    expect(config.rebootMs).toBe(30_000);
    expect(config.recalibrateMs).toBe(10_000);
  });

  it('takes command timings in (fractional) seconds', () => {
    const config = loadPlatformConfig({
      API_FIRMWARE_UPDATE_SECONDS: '0',
      API_FIRMWARE_FAILURE_RATE: '0.2',
      API_REBOOT_SECONDS: '0.5',
      API_RECALIBRATE_SECONDS: '3600',
    });
    expect(config.firmwareUpdateMs).toBe(0);
    expect(config.firmwareFailureRate).toBe(0.2);
    expect(config.rebootMs).toBe(500);
    expect(config.recalibrateMs).toBe(3_600_000);
  });

  it('takes AUTH_PROFILE=lenient', () => {
    expect(loadPlatformConfig({ AUTH_PROFILE: 'lenient' }).authProfile).toBe('lenient');
  });

  it.each([
    ['AUTH_ACCESS_TOKEN_TTL', 'soon'],
    ['AUTH_REFRESH_TOKEN_IDLE_TTL', '0'],
    ['AUTH_ROTATE_REFRESH_TOKENS', 'maybe'],
    ['API_FLEET_SIZE', '10001'],
    ['API_EXPIRED_TOKEN_STYLE', 'twitter'],
    ['APP_URL', 'ftp://example.com'],
    ['AUTH_BFF_CLIENT_SECRET', 'short'],
    ['AUTH_PORT', '70000'],
    ['AUTH_PROFILE', 'loose'],
    ['API_FIRMWARE_UPDATE_SECONDS', '3601'],
    ['API_FIRMWARE_UPDATE_SECONDS', '-1'],
    ['API_FIRMWARE_UPDATE_SECONDS', 'soon'],
    ['API_FIRMWARE_UPDATE_SECONDS', ''],
    ['API_FIRMWARE_FAILURE_RATE', '1.5'],
    ['API_FIRMWARE_FAILURE_RATE', '5%'],
    ['API_REBOOT_SECONDS', '1e3'],
    ['API_REBOOT_SECONDS', 'Infinity'],
    ['API_RECALIBRATE_SECONDS', '0x10'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    expect(() => loadPlatformConfig({ [name]: value })).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    );
    expect(() => loadPlatformConfig({ [name]: value })).toThrow(name);
  });
});
