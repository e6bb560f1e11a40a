import { describe, expect, it } from 'vitest';
import { createTestApi, json, T0, VIEWER_SCOPE } from './test-support.ts';

const iso = (ms: number) => new Date(ms).toISOString();

describe('POST /devices/:id/commands', () => {
  it('accepts a reboot with 202 and a pending command record', async () => {
    const api = await createTestApi();
    const response = await api.call('/devices/dev-0001/commands', {
      method: 'POST',
      body: { type: 'reboot' },
      token: { sub: 'alice' },
    });
    expect(response.status).toBe(202);
    const body = await json(response);
    expect(body).toEqual({
      id: expect.stringMatching(/^cmd-[0-9a-f-]{36}$/),
      deviceId: 'dev-0001',
      type: 'reboot',
      status: 'pending',
      issuedBy: 'alice',
      issuedAt: iso(T0),
    });
  });

  it('completes a reboot after 30 s and refuses overlapping commands meanwhile', async () => {
    const api = await createTestApi();
    const first = await json(
      await api.call('/devices/dev-0001/commands', { method: 'POST', body: { type: 'reboot' } }),
    );

    api.clock.advance(29_999);
    const busy = await api.call('/devices/dev-0001/commands', {
      method: 'POST',
      body: { type: 'recalibrate' },
    });
    expect(busy.status).toBe(409);
    expect((await json(busy)).error).toBe('command_in_progress');

    api.clock.advance(1);
    const list = await json(await api.call('/devices/dev-0001/commands'));
    expect(list.items).toEqual([{ ...first, status: 'completed', completedAt: iso(T0 + 30_000) }]);

    const second = await api.call('/devices/dev-0001/commands', {
      method: 'POST',
      body: { type: 'recalibrate' },
    });
    expect(second.status).toBe(202);
    api.clock.advance(10_000);
    const detail = await json(await api.call('/devices/dev-0001'));
    expect(detail.commands.map((c: { type: string; status: string }) => `${c.type}:${c.status}`)).toEqual([
      'recalibrate:completed',
      'reboot:completed',
    ]);
    // Commands do not alter the simulation: the device stays online with the same readings.
    expect(detail.status).toBe('online');
  });

  it('keeps commands to different devices apart', async () => {
    const api = await createTestApi();
    await api.call('/devices/dev-0001/commands', { method: 'POST', body: { type: 'reboot' } });
    const other = await api.call('/devices/dev-0002/commands', { method: 'POST', body: { type: 'reboot' } });
    expect(other.status).toBe(202);
    expect((await json(await api.call('/devices/dev-0003/commands'))).items).toEqual([]);
  });

  it('refuses a command to an offline device with 409 device_offline', async () => {
    const api = await createTestApi();
    const response = await api.call('/devices/dev-0048/commands', {
      method: 'POST',
      body: { type: 'reboot' },
    });
    expect(response.status).toBe(409);
    expect((await json(response)).error).toBe('device_offline');
    expect((await json(await api.call('/devices/dev-0048/commands'))).items).toEqual([]);
  });

  it('fails a command whose device drops offline before it is done', async () => {
    // dev-0048 goes silent at 12:19:00 on 31 May; a reboot at 12:18:45 is due at 12:19:15.
    const api = await createTestApi({}, undefined, Date.UTC(2025, 4, 31, 12, 18, 45));
    expect(
      (await api.call('/devices/dev-0048/commands', { method: 'POST', body: { type: 'reboot' } })).status,
    ).toBe(202);
    api.clock.advance(30_000);
    const [command] = (await json(await api.call('/devices/dev-0048/commands'))).items;
    expect(command).toMatchObject({ status: 'failed', failureReason: 'device_offline' });
    expect(command.completedAt).toBeUndefined();
  });

  it.each([
    ['an unknown type', { body: { type: 'shutdown' } }, 400, 'invalid_body'],
    ['a wrong type', { body: { type: 1 } }, 400, 'invalid_body'],
    ['an unknown field', { body: { type: 'reboot', force: true } }, 400, 'invalid_body'],
    ['no type', { body: {} }, 400, 'invalid_body'],
    ['an array', { body: ['reboot'] }, 400, 'invalid_body'],
    ['a bare string', { body: 'reboot' }, 400, 'invalid_body'],
    ['null', { rawBody: 'null', headers: { 'Content-Type': 'application/json' } }, 400, 'invalid_body'],
    [
      'broken JSON',
      { rawBody: '{"type":', headers: { 'Content-Type': 'application/json' } },
      400,
      'invalid_json',
    ],
    [
      'an empty JSON body',
      { rawBody: '', headers: { 'Content-Type': 'application/json' } },
      400,
      'invalid_json',
    ],
    ['no body at all', {}, 415, 'unsupported_media_type'],
    [
      'a form',
      { rawBody: 'type=reboot', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
      415,
      'unsupported_media_type',
    ],
    [
      'an oversized body',
      { body: { type: 'reboot', padding: 'x'.repeat(20_000) } },
      413,
      'payload_too_large',
    ],
  ])('refuses %s', async (_, init, status, code) => {
    const api = await createTestApi();
    const response = await api.call('/devices/dev-0001/commands', { method: 'POST', ...init });
    expect(response.status).toBe(status);
    expect((await json(response)).error).toBe(code);
    expect((await json(await api.call('/devices/dev-0001/commands'))).items).toEqual([]);
  });

  it('accepts JSON with a charset', async () => {
    const api = await createTestApi();
    const response = await api.call('/devices/dev-0001/commands', {
      method: 'POST',
      rawBody: '{"type":"recalibrate"}',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
    });
    expect(response.status).toBe(202);
  });

  it.each([
    ['dev-0999', 404, 'not_found'],
    ['device-1', 400, 'invalid_id'],
  ])('answers a command to %s with %i %s', async (id, status, code) => {
    const api = await createTestApi();
    const response = await api.call(`/devices/${id}/commands`, { method: 'POST', body: { type: 'reboot' } });
    expect(response.status).toBe(status);
    expect((await json(response)).error).toBe(code);
  });

  it('refuses a viewer with 403 and records nothing', async () => {
    const api = await createTestApi();
    const response = await api.call('/devices/dev-0001/commands', {
      method: 'POST',
      body: { type: 'reboot' },
      token: { scope: VIEWER_SCOPE, sub: 'victor', roles: ['viewer'] },
    });
    expect(response.status).toBe(403);
    expect((await json(response)).error).toBe('insufficient_scope');
    const list = await api.call('/devices/dev-0001/commands', { token: { scope: VIEWER_SCOPE } });
    expect(list.status).toBe(200);
    expect((await json(list)).items).toEqual([]);
  });
});

describe('firmware-update bodies', () => {
  it('accepts a firmware update naming a version', async () => {
    const api = await createTestApi();
    const response = await api.call('/devices/dev-0001/commands', {
      method: 'POST',
      body: { type: 'firmware-update', version: '3.0.0-rc_1' },
    });
    expect(response.status).toBe(202);
    expect(await json(response)).toMatchObject({
      type: 'firmware-update',
      version: '3.0.0-rc_1',
      status: 'pending',
    });
  });

  it.each([
    ['no version', { type: 'firmware-update' }, 'version is required for firmware-update'],
    ['an empty version', { type: 'firmware-update', version: '' }, 'version must be 1-32'],
    ['a 33-character version', { type: 'firmware-update', version: '1'.repeat(33) }, 'version must be 1-32'],
    ['a space', { type: 'firmware-update', version: '3.0 beta' }, 'version must be 1-32'],
    ['a slash', { type: 'firmware-update', version: '../3.0' }, 'version must be 1-32'],
    ['a number', { type: 'firmware-update', version: 3 }, 'version must be a string'],
    ['null', { type: 'firmware-update', version: null }, 'version must be a string'],
    ['a version on a reboot', { type: 'reboot', version: '3.0.0' }, 'version is only for firmware-update'],
  ])('refuses %s with 400 invalid_body', async (_, body, message) => {
    const api = await createTestApi();
    const response = await api.call('/devices/dev-0001/commands', { method: 'POST', body });
    expect(response.status).toBe(400);
    const answer = await json(response);
    expect(answer.error).toBe('invalid_body');
    expect(answer.message).toContain(message);
    expect((await json(await api.call('/devices/dev-0001/commands'))).items).toEqual([]);
  });

  it('accepts a 32-character version of every allowed character', async () => {
    const api = await createTestApi();
    const version = 'AZaz09.-_'.repeat(4).slice(0, 32);
    const response = await api.call('/devices/dev-0001/commands', {
      method: 'POST',
      body: { type: 'firmware-update', version },
    });
    expect(response.status).toBe(202);
  });

  it('needs devices:command', async () => {
    const api = await createTestApi();
    const response = await api.call('/devices/dev-0001/commands', {
      method: 'POST',
      body: { type: 'firmware-update', version: '3.0.0' },
      token: { scope: VIEWER_SCOPE },
    });
    expect(response.status).toBe(403);
    expect((await json(response)).error).toBe('insufficient_scope');
  });
});

describe('configurable command durations', () => {
  it('takes rebootMs and recalibrateMs', async () => {
    const api = await createTestApi({ rebootMs: 1_000, recalibrateMs: 0 });
    const recalibration = await json(
      await api.call('/devices/dev-0001/commands', { method: 'POST', body: { type: 'recalibrate' } }),
    );
    expect(recalibration).toMatchObject({ status: 'completed', completedAt: iso(T0) });

    const reboot = await json(
      await api.call('/devices/dev-0001/commands', { method: 'POST', body: { type: 'reboot' } }),
    );
    expect(reboot.status).toBe('pending');
    api.clock.advance(1_000);
    const [done] = (await json(await api.call('/devices/dev-0001/commands'))).items;
    expect(done).toMatchObject({ id: reboot.id, status: 'completed', completedAt: iso(T0 + 1_000) });
  });
});

describe("commands sent by automation on a person's behalf", () => {
  it('records the job and the person from X-Job-Id and X-Initiated-By beside the token subject', async () => {
    const api = await createTestApi();
    const response = await api.call('/devices/dev-0001/commands', {
      method: 'POST',
      body: { type: 'recalibrate' },
      token: { sub: 'iot-automation' },
      headers: { 'X-Job-Id': 'job-42', 'X-Initiated-By': 'usr-operator-0001' },
    });
    expect(response.status).toBe(202);
    expect(await json(response)).toMatchObject({
      issuedBy: 'iot-automation',
      jobId: 'job-42',
      initiatedBy: 'usr-operator-0001',
    });
    const list = await json(await api.call('/devices/dev-0001/commands'));
    expect(list.items[0]).toMatchObject({ jobId: 'job-42', initiatedBy: 'usr-operator-0001' });
  });

  it('attributes firmware updates the same way', async () => {
    const api = await createTestApi({ firmwareUpdateMs: 0 });
    const response = await api.call('/devices/dev-0001/commands', {
      method: 'POST',
      body: { type: 'firmware-update', version: '3.1.0' },
      token: { sub: 'iot-automation' },
      headers: { 'X-Job-Id': 'job-43', 'X-Initiated-By': 'usr-operator-0001' },
    });
    expect(response.status).toBe(202);
    const command = await json(response);
    expect(command).toMatchObject({
      type: 'firmware-update',
      version: '3.1.0',
      issuedBy: 'iot-automation',
      jobId: 'job-43',
      initiatedBy: 'usr-operator-0001',
    });
    expect((await json(await api.call('/devices/dev-0001'))).commands).toEqual([command]);
  });

  it.each([
    [{ 'X-Job-Id': 'job-42' }],
    [{ 'X-Initiated-By': 'usr-operator-0001' }],
    [{ 'X-Job-Id': 'job 42', 'X-Initiated-By': 'usr-operator-0001' }],
    [{ 'X-Job-Id': 'job-42', 'X-Initiated-By': 'x'.repeat(201) }],
  ])('refuses incomplete or malformed attribution %o with 400 invalid_header', async (headers) => {
    const api = await createTestApi();
    const response = await api.call('/devices/dev-0001/commands', {
      method: 'POST',
      body: { type: 'recalibrate' },
      headers,
    });
    expect(response.status).toBe(400);
    expect((await json(response)).error).toBe('invalid_header');
  });
});
