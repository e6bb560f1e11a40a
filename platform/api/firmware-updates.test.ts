import { describe, expect, it } from 'vitest';
import { firmwareUpdateFails } from './commands.ts';
import { createFleet } from './fleet.ts';
import { createTestApi, createTestKeys, json, T0, type TestApi } from './test-support.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const update = (version: string) => ({ method: 'POST', body: { type: 'firmware-update', version } });

async function firmwareOf(api: TestApi, id: string): Promise<{ detail: string; listed: string }> {
  const detail = await json(await api.call(`/devices/${id}`));
  const listed = await json(await api.call(`/devices?ids=${id}`));
  return { detail: detail.firmwareVersion, listed: listed.items[0].firmwareVersion };
}

describe('firmware updates', () => {
  it('reports the new version once the update completes after firmwareUpdateMs', async () => {
    const api = await createTestApi({ firmwareUpdateMs: 5_000, firmwareFailureRate: 0 });
    expect(await firmwareOf(api, 'dev-0001')).toEqual({ detail: '2.0.6', listed: '2.0.6' });

    const response = await api.call('/devices/dev-0001/commands', update('3.1.0'));
    expect(response.status).toBe(202);
    const command = await json(response);
    expect(command).toMatchObject({ type: 'firmware-update', version: '3.1.0', status: 'pending' });

    api.clock.advance(4_999);
    expect(await firmwareOf(api, 'dev-0001')).toEqual({ detail: '2.0.6', listed: '2.0.6' });
    api.clock.advance(1);
    expect(await firmwareOf(api, 'dev-0001')).toEqual({ detail: '3.1.0', listed: '3.1.0' });
    const [done] = (await json(await api.call('/devices/dev-0001/commands'))).items;
    expect(done).toEqual({ ...command, status: 'completed', completedAt: iso(T0 + 5_000) });
  });

  it('takes 20 s by default and refuses other commands meanwhile', async () => {
    const api = await createTestApi({ firmwareFailureRate: 0 });
    await api.call('/devices/dev-0002/commands', update('3.1.0'));
    api.clock.advance(19_999);
    const busy = await api.call('/devices/dev-0002/commands', { method: 'POST', body: { type: 'reboot' } });
    expect(busy.status).toBe(409);
    expect((await json(busy)).error).toBe('command_in_progress');
    expect((await firmwareOf(api, 'dev-0002')).detail).toBe('2.1.4');
    api.clock.advance(1);
    expect((await firmwareOf(api, 'dev-0002')).detail).toBe('3.1.0');
  });

  it('completes at once with firmwareUpdateMs 0', async () => {
    const api = await createTestApi({ firmwareUpdateMs: 0, firmwareFailureRate: 0 });
    const command = await json(await api.call('/devices/dev-0001/commands', update('3.1.0')));
    expect(command).toMatchObject({ status: 'completed', completedAt: iso(T0) });
    expect((await firmwareOf(api, 'dev-0001')).listed).toBe('3.1.0');
  });

  it('keeps the installed version through later commands and failed updates', async () => {
    // The first version from 3.0.0 up that dev-0001 fails to install at the default rate.
    const dev1 = createFleet(1).devices[0];
    if (!dev1) throw new Error('no dev-0001');
    let failing = 0;
    while (!firmwareUpdateFails(dev1, `3.0.${failing}`, 0.05)) failing++;
    expect(firmwareUpdateFails(dev1, '3.1.0', 0.05)).toBe(false);

    const api = await createTestApi({ firmwareUpdateMs: 0, rebootMs: 0 });
    await api.call('/devices/dev-0001/commands', update('3.1.0'));
    await api.call('/devices/dev-0001/commands', { method: 'POST', body: { type: 'reboot' } });
    expect((await firmwareOf(api, 'dev-0001')).detail).toBe('3.1.0');

    const failed = await json(await api.call('/devices/dev-0001/commands', update(`3.0.${failing}`)));
    expect(failed).toMatchObject({ status: 'failed', failureReason: 'update_failed' });
    expect(failed.completedAt).toBeUndefined();
    expect(await firmwareOf(api, 'dev-0001')).toEqual({ detail: '3.1.0', listed: '3.1.0' });

    // The same pair fails every time: retrying does not help.
    const again = await json(await api.call('/devices/dev-0001/commands', update(`3.0.${failing}`)));
    expect(again.failureReason).toBe('update_failed');
  });

  it('accepts an update to the version the device already runs', async () => {
    const api = await createTestApi({ firmwareUpdateMs: 1_000, firmwareFailureRate: 0 });
    const response = await api.call('/devices/dev-0001/commands', update('2.0.6'));
    expect(response.status).toBe(202);
    api.clock.advance(1_000);
    const [command] = (await json(await api.call('/devices/dev-0001/commands'))).items;
    expect(command).toMatchObject({ version: '2.0.6', status: 'completed' });
    expect((await firmwareOf(api, 'dev-0001')).detail).toBe('2.0.6');
  });

  it('refuses an update to an offline device with 409 device_offline', async () => {
    const api = await createTestApi();
    const response = await api.call('/devices/dev-0048/commands', update('3.1.0'));
    expect(response.status).toBe(409);
    expect((await json(response)).error).toBe('device_offline');
  });

  it('fails with device_offline when the device drops offline before the update is done', async () => {
    // dev-0048 goes silent at 12:19:00 on 31 May; an update at 12:18:45 is due at 12:19:05.
    const api = await createTestApi({ firmwareFailureRate: 0 }, undefined, Date.UTC(2025, 4, 31, 12, 18, 45));
    const before = (await firmwareOf(api, 'dev-0048')).detail;
    expect((await api.call('/devices/dev-0048/commands', update('3.1.0'))).status).toBe(202);
    api.clock.advance(20_000);
    const [command] = (await json(await api.call('/devices/dev-0048/commands'))).items;
    expect(command).toMatchObject({ status: 'failed', failureReason: 'device_offline' });
    expect((await firmwareOf(api, 'dev-0048')).detail).toBe(before);
  });

  it('fails the same devices at about the configured rate on every instance', async () => {
    const keys = await createTestKeys();
    const failuresOn = async () => {
      const api = await createTestApi(
        { fleetSize: 1_000, firmwareUpdateMs: 0, firmwareFailureRate: 0.2 },
        keys,
      );
      const send = await api.caller();
      const failed: string[] = [];
      let accepted = 0;
      for (let n = 1; n <= 1_000; n++) {
        const id = `dev-${String(n).padStart(4, '0')}`;
        const response = await send(`/devices/${id}/commands`, update('4.0.0'));
        if (response.status !== 202) continue; // offline now
        accepted++;
        const command = await json(response);
        if (command.status === 'failed') {
          expect(command.failureReason).toBe('update_failed');
          failed.push(id);
        }
      }
      expect(accepted).toBeGreaterThan(950);
      return failed;
    };
    const first = await failuresOn();
    expect(first.length).toBeGreaterThanOrEqual(150);
    expect(first.length).toBeLessThanOrEqual(250);
    expect(await failuresOn()).toEqual(first);
  });
});
