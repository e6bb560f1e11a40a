import { DeviceApiError } from './automation-api.ts';
import { mapLimited } from './device-commands.ts';
import { resolveSelection } from './device-selection.ts';
import type { JobHandler } from './engine/index.ts';
import { checkpointOf, type JobKit } from './job-kit.ts';
import { telemetryExportParams } from './job-params.ts';

type ExportCheckpoint = { devices: string[]; next: number };

interface TelemetrySeries {
  unit: string;
  points: [number, number | null][];
}

export const CSV_HEADER = 'device_id,metric,unit,time,value\n';
const BATCH = 20;

/** CSV field: quoted only when it must be (RFC 4180). */
const field = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/**
 * `telemetry-export`: the telemetry of a selection over a time range as one CSV, the job's result.
 * The file is written a batch of devices at a time, each part committed with its checkpoint, so an
 * interrupted export continues without a duplicate or a missing row. Offline samples are empty
 * values.
 */
export function telemetryExportHandler(kit: JobKit): JobHandler {
  return async (context) => {
    const params = telemetryExportParams.parse(context.job.params);
    const api = kit.api(context.job);
    let cp = checkpointOf<ExportCheckpoint>(context);
    if (!cp) {
      const devices = await resolveSelection(api, params.selection);
      context.setTotal(devices.length);
      context.recordEvent('selection_resolved', { devices: devices.length });
      context.appendResult(CSV_HEADER, 'text/csv; charset=utf-8');
      cp = { devices, next: 0 };
      await context.saveCheckpoint(cp, 0);
    }
    const range = new URLSearchParams({ from: params.from, to: params.to });
    while (cp.next < cp.devices.length) {
      const ids = cp.devices.slice(cp.next, cp.next + BATCH);
      const parts = await mapLimited(ids, kit.concurrency, async (id) => {
        let csv = '';
        let rows = 0;
        for (const metric of params.metrics) {
          range.set('metric', metric);
          let series: TelemetrySeries;
          try {
            series = await api.get<TelemetrySeries>(`/devices/${encodeURIComponent(id)}/telemetry?${range}`);
          } catch (error) {
            if (error instanceof DeviceApiError && error.status === 404) return { id, csv: '', rows: -1 };
            throw error;
          }
          for (const [at, value] of series.points) {
            csv += `${field(id)},${metric},${field(series.unit)},${new Date(at).toISOString()},${value ?? ''}\n`;
            rows += 1;
          }
        }
        return { id, csv, rows };
      });
      for (const part of parts) {
        if (part.rows < 0) context.recordItem(part.id, 'not_found', null);
        else context.recordItem(part.id, 'exported', { rows: part.rows });
      }
      context.appendResult(parts.map((part) => part.csv).join(''), 'text/csv; charset=utf-8');
      cp = { ...cp, next: cp.next + ids.length };
      await context.saveCheckpoint(cp, cp.next);
    }
  };
}
