import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.ts';
import { CommandLog, DEFAULT_COMMAND_DURATION_MS, firmwareUpdateFails, viewCommand } from './commands.ts';
import { createFleet, formatDeviceId } from './fleet.ts';
import { isReporting } from './schedule.ts';
import { createTestApi, json, T0 } from './test-support.ts';

const update = (version: string) => ({ method: 'POST', body: { type: 'firmware-update', version } });
const recalibrate = { method: 'POST', body: { type: 'recalibrate' } };

describe('the command log beyond its 1,000 recent commands', () => {
  it("keeps each device's latest command answerable after the recent log evicted it", async () => {
    const api = await createTestApi({
      fleetSize: 1_500,
      recalibrateMs: 0,
      rebootMs: 0,
      firmwareUpdateMs: 60_000,
    });
    const send = await api.caller();
    const first = await json(await send('/devices/dev-0001/commands', update('3.1.0')));
    await send('/devices/dev-0002/commands', { method: 'POST', body: { type: 'reboot' } });
    await send('/devices/dev-0002/commands', recalibrate);
    const earlier = (await json(await send('/devices/dev-0002/commands'))).items;
    expect(earlier.map((c: { type: string }) => c.type)).toEqual(['recalibrate', 'reboot']);

    // 1,000 later commands to other devices push those out of the recent log.
    let sent = 0;
    for (let index = 2; sent < 1_000; index++) {
      if ((await send(`/devices/${formatDeviceId(index)}/commands`, recalibrate)).status === 202) sent++;
    }

    expect((await json(await send('/devices/dev-0001/commands'))).items).toEqual([first]);
    expect((await json(await send('/devices/dev-0001'))).commands).toEqual([first]);
    // Still pending, so it still keeps the device busy.
    const busy = await send('/devices/dev-0001/commands', recalibrate);
    expect(busy.status).toBe(409);
    expect((await json(busy)).error).toBe('command_in_progress');
    api.clock.advance(60_000);
    const [done] = (await json(await send('/devices/dev-0001/commands'))).items;
    expect(done).toMatchObject({ id: first.id, status: 'completed' });
    expect((await json(await send('/devices/dev-0001'))).firmwareVersion).toBe('3.1.0');

    // dev-0002 keeps only its latest; once a newer one replaces it, the evicted ones are gone.
    expect((await json(await send('/devices/dev-0002/commands'))).items).toEqual([earlier[0]]);
    const next = await json(await send('/devices/dev-0002/commands', recalibrate));
    const items = (await json(await send('/devices/dev-0002/commands'))).items;
    expect(items.map((c: { id: string }) => c.id)).toEqual([next.id]);
  });

  it('settles 10,000 instant firmware updates in one loop, without timers', () => {
    const fleet = createFleet(10_000);
    const log = new CommandLog({
      durationsMs: { ...DEFAULT_COMMAND_DURATION_MS, 'firmware-update': 0 },
      firmwareFailureRate: 0.05,
    });
    const refused: string[] = [];
    for (const device of fleet.devices) {
      try {
        log.issue(device, { type: 'firmware-update', version: '5.0.0' }, 'iot-automation', T0, {
          jobId: 'job-1',
          initiatedBy: 'usr-operator-0001',
        });
      } catch (error) {
        expect(error).toBeInstanceOf(ApiError);
        expect((error as ApiError).code).toBe('device_offline');
        refused.push(device.id);
      }
    }

    let failed = 0;
    for (const device of fleet.devices) {
      const [record, ...older] = log.forDevice(device.id);
      expect(older).toEqual([]);
      if (!isReporting(device, T0)) {
        expect(record).toBeUndefined();
        expect(log.firmwareVersion(device, T0)).toBe(device.firmwareVersion);
        continue;
      }
      if (!record) throw new Error(`no command for ${device.id}`);
      const view = viewCommand(record, device, T0);
      expect(view).toMatchObject({ version: '5.0.0', jobId: 'job-1', initiatedBy: 'usr-operator-0001' });
      if (firmwareUpdateFails(device, '5.0.0', 0.05)) {
        failed++;
        expect(view).toMatchObject({ status: 'failed', failureReason: 'update_failed' });
        expect(log.firmwareVersion(device, T0)).toBe(device.firmwareVersion);
      } else {
        expect(view).toMatchObject({ status: 'completed', completedAt: new Date(T0).toISOString() });
        expect(log.firmwareVersion(device, T0)).toBe('5.0.0');
      }
    }
    expect(refused.length).toBe(fleet.devices.filter((d) => !isReporting(d, T0)).length);
    expect(failed).toBeGreaterThan(350);
    expect(failed).toBeLessThan(650);
  });
});
