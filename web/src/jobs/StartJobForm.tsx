import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useId, useMemo, useState } from 'react';
import { deviceCountQuery, modelsQuery, sitesQuery, useStartJob } from '../api/job-hooks.ts';
import { JOB_TYPES, type JobType, type StartJobRequest } from '../api/job-types.ts';
import { DEVICE_STATUSES, type DeviceStatus, METRICS, type Metric } from '../api/types.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { navigate } from '../router/router.tsx';
import { jobRoute } from '../router/routes.ts';
import { JOB_TYPE_LABEL } from './job-labels.ts';
import { countOf, describeJobRequest, describeJobsError, type NameLookup } from './job-words.ts';
import {
  buildStartRequest,
  initialStartForm,
  type StartFormErrors,
  type StartFormField,
  type StartFormState,
  selectionOf,
} from './start-form.ts';
import { useDebouncedValue } from './use-debounced-value.ts';

const COUNT_DEBOUNCE_MS = 400;

const TYPE_HINT: Record<JobType, string> = {
  'firmware-rollout': 'Installs a firmware version, batch by batch; stops itself when too many devices fail.',
  'telemetry-export': 'Writes the readings of a time range to a CSV file you can download.',
  recalibration: 'Recalibrates the sensors, now or on a repeating schedule.',
};

const toggle = <T,>(list: readonly T[], item: T, on: boolean): T[] =>
  on ? [...list.filter((x) => x !== item), item] : list.filter((x) => x !== item);

let knownZones: string[] | undefined;
/** The IANA zones this browser knows, for the time zone field's suggestions (read once). */
const zones = (): string[] => {
  if (!knownZones) {
    try {
      knownZones = Intl.supportedValuesOf('timeZone');
    } catch {
      knownZones = [];
    }
  }
  return knownZones;
};

/** For operators: choose a type, the devices and the parameters; confirm what will happen; start. */
export function StartJobForm() {
  const id = useId();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<StartFormState>(() => initialStartForm());
  const [errors, setErrors] = useState<StartFormErrors>({});
  const [notice, setNotice] = useState('');
  const [checking, setChecking] = useState(false);
  const [confirming, setConfirming] = useState<{ request: StartJobRequest; description: string } | null>(
    null,
  );
  const start = useStartJob();
  const sites = useQuery(sitesQuery);
  const models = useQuery(modelsQuery);

  const { site, model, statuses, ids } = form;
  const selection = useMemo(() => selectionOf({ site, model, statuses, ids }), [site, model, statuses, ids]);
  const settled = useDebouncedValue(selection, COUNT_DEBOUNCE_MS);
  const count = useQuery(deviceCountQuery(settled));
  const names: NameLookup = useMemo(
    () => ({
      site: (siteId) => sites.data?.find((s) => s.id === siteId)?.name,
      model: (modelId) => models.data?.find((m) => m.id === modelId)?.name,
    }),
    [sites.data, models.data],
  );

  const update = (change: Partial<StartFormState>) => {
    setForm((current) => ({ ...current, ...change }));
    setNotice('');
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const built = buildStartRequest(form);
    if (!built.ok) {
      setErrors(built.errors);
      return;
    }
    setErrors({});
    // The dialog states the count for exactly this selection, not the last debounced one.
    setChecking(true);
    const total = await queryClient.fetchQuery(deviceCountQuery(selection)).catch(() => undefined);
    setChecking(false);
    if (total === 0) {
      setNotice('No device matches this selection, so there is nothing to start.');
      return;
    }
    setConfirming({ request: built.request, description: describeJobRequest(built.request, total, names) });
  };

  const confirm = () => {
    const job = confirming;
    setConfirming(null);
    if (!job) return;
    start.mutate(job.request, { onSuccess: ({ id: jobId }) => navigate(jobRoute(jobId)) });
  };

  const field = (name: StartFormField) => ({
    id: `${id}-${name}`,
    'aria-invalid': errors[name] ? true : undefined,
    'aria-describedby': errors[name] ? `${id}-${name}-error` : undefined,
  });
  const error = (name: StartFormField) =>
    errors[name] && (
      <span id={`${id}-${name}-error`} className="field-error">
        {errors[name]}
      </span>
    );

  let countText: string;
  if (count.isError && count.data === undefined)
    countText = `The matching devices could not be counted (${count.error.message}).`;
  else if (count.data === undefined) countText = 'Counting matching devices…';
  else countText = `${countOf(count.data)} ${count.data === 1 ? 'matches' : 'match'}`;
  const counting = count.isFetching || settled !== selection;

  return (
    <section className="panel start-job" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Start a job</h2>
      <form onSubmit={onSubmit} noValidate>
        <fieldset className="form-group">
          <legend>Job type</legend>
          <div className="choice-row">
            {JOB_TYPES.map((type) => (
              <label key={type} className="check">
                <input
                  type="radio"
                  name={`${id}-type`}
                  value={type}
                  checked={form.type === type}
                  onChange={() => {
                    update({ type });
                    setErrors({});
                  }}
                />
                {JOB_TYPE_LABEL[type]}
              </label>
            ))}
          </div>
          <p className="muted">{TYPE_HINT[form.type]}</p>
        </fieldset>

        <fieldset className="form-group">
          <legend>Devices</legend>
          <div className="form-row">
            <div className="field">
              <label htmlFor={`${id}-site`}>Site</label>
              <select id={`${id}-site`} value={form.site} onChange={(e) => update({ site: e.target.value })}>
                <option value="">All sites</option>
                {sites.data?.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-model`}>Model</label>
              <select
                id={`${id}-model`}
                value={form.model}
                onChange={(e) => update({ model: e.target.value })}
              >
                <option value="">All models</option>
                {models.data?.map((m) => (
                  <option key={m.id} value={m.id}>
                    {`${m.name} (${m.devices.toLocaleString()})`}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <fieldset className="form-subgroup">
            <legend>Status (none ticked: any)</legend>
            <div className="choice-row">
              {DEVICE_STATUSES.map((status: DeviceStatus) => (
                <label key={status} className="check">
                  <input
                    type="checkbox"
                    checked={form.statuses.includes(status)}
                    onChange={(e) => update({ statuses: toggle(form.statuses, status, e.target.checked) })}
                  />
                  {status}
                </label>
              ))}
            </div>
          </fieldset>
          <div className="field">
            <label htmlFor={`${id}-ids`}>Device ids (optional, comma-separated)</label>
            <input
              {...field('ids')}
              type="text"
              value={form.ids}
              placeholder="dev-0001, dev-0002"
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => update({ ids: e.target.value })}
            />
            {error('ids')}
          </div>
          <p className="device-count" aria-live="polite" data-testid="device-count">
            {countText}
            {counting && count.data !== undefined && <span className="muted"> · updating…</span>}
          </p>
        </fieldset>

        <fieldset className="form-group">
          <legend>{`${JOB_TYPE_LABEL[form.type]} settings`}</legend>
          {form.type === 'firmware-rollout' && (
            <div className="form-row">
              <Field label="Firmware version" name="version" field={field} error={error}>
                <input
                  {...field('version')}
                  type="text"
                  value={form.version}
                  placeholder="3.1.0"
                  autoComplete="off"
                  spellCheck={false}
                  onChange={(e) => update({ version: e.target.value })}
                />
              </Field>
              <Field label="Batch size" name="batchSize" field={field} error={error}>
                <input
                  {...field('batchSize')}
                  type="number"
                  min={1}
                  inputMode="numeric"
                  value={form.batchSize}
                  onChange={(e) => update({ batchSize: e.target.value })}
                />
              </Field>
              <Field label="Canary devices" name="canary" field={field} error={error}>
                <input
                  {...field('canary')}
                  type="number"
                  min={0}
                  inputMode="numeric"
                  value={form.canary}
                  onChange={(e) => update({ canary: e.target.value })}
                />
              </Field>
              <Field label="Stop above failed (%)" name="failurePercent" field={field} error={error}>
                <input
                  {...field('failurePercent')}
                  type="number"
                  min={0}
                  max={100}
                  step="any"
                  inputMode="decimal"
                  value={form.failurePercent}
                  onChange={(e) => update({ failurePercent: e.target.value })}
                />
              </Field>
            </div>
          )}
          {form.type === 'telemetry-export' && (
            <>
              <div className="form-row">
                <Field label="From" name="from" field={field} error={error}>
                  <input
                    {...field('from')}
                    type="datetime-local"
                    value={form.from}
                    onChange={(e) => update({ from: e.target.value })}
                  />
                </Field>
                <Field label="To" name="to" field={field} error={error}>
                  <input
                    {...field('to')}
                    type="datetime-local"
                    value={form.to}
                    onChange={(e) => update({ to: e.target.value })}
                  />
                </Field>
              </div>
              <fieldset
                className="form-subgroup"
                aria-invalid={errors.metrics ? true : undefined}
                aria-describedby={errors.metrics ? `${id}-metrics-error` : undefined}
              >
                <legend>Metrics</legend>
                <div className="choice-row">
                  {METRICS.map((metric: Metric) => (
                    <label key={metric} className="check">
                      <input
                        type="checkbox"
                        checked={form.metrics.includes(metric)}
                        onChange={(e) => update({ metrics: toggle(form.metrics, metric, e.target.checked) })}
                      />
                      {metric}
                    </label>
                  ))}
                </div>
                {error('metrics')}
              </fieldset>
              <p className="muted">At most 31 days; times are in your time zone.</p>
            </>
          )}
          {form.type === 'recalibration' && (
            <>
              <div className="choice-row">
                <label className="check">
                  <input
                    type="radio"
                    name={`${id}-when`}
                    checked={!form.scheduled}
                    onChange={() => update({ scheduled: false })}
                  />
                  Run now
                </label>
                <label className="check">
                  <input
                    type="radio"
                    name={`${id}-when`}
                    checked={form.scheduled}
                    onChange={() => update({ scheduled: true })}
                  />
                  On a schedule
                </label>
              </div>
              {form.scheduled && (
                <div className="form-row">
                  <Field label="Schedule (cron)" name="cron" field={field} error={error}>
                    <input
                      {...field('cron')}
                      type="text"
                      value={form.cron}
                      autoComplete="off"
                      spellCheck={false}
                      onChange={(e) => update({ cron: e.target.value })}
                    />
                  </Field>
                  <Field label="Time zone" name="timezone" field={field} error={error}>
                    <input
                      {...field('timezone')}
                      type="text"
                      list={`${id}-zones`}
                      value={form.timezone}
                      autoComplete="off"
                      spellCheck={false}
                      onChange={(e) => update({ timezone: e.target.value })}
                    />
                  </Field>
                  <datalist id={`${id}-zones`}>
                    {zones().map((zone) => (
                      <option key={zone} value={zone} />
                    ))}
                  </datalist>
                  <p className="muted form-note">
                    Minute, hour, day of month, month, day of week: <code>0 3 * * *</code> is every day at
                    03:00. The job waits and runs at each occurrence.
                  </p>
                </div>
              )}
            </>
          )}
        </fieldset>

        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={start.isPending || checking}>
            Start job
          </button>
          <span role="status" className="muted">
            {checking ? 'Counting devices…' : start.isPending ? 'Starting…' : ''}
          </span>
        </div>
        {notice && (
          <p className="banner banner-warning" role="alert">
            {notice}
          </p>
        )}
        {Object.keys(errors).length > 0 && (
          <p className="field-error" role="alert">
            Some settings need a correction; see the fields marked.
          </p>
        )}
        {start.isError && (
          <p className="banner banner-warning" role="alert">
            {describeJobsError(start.error, 'start')}
          </p>
        )}
      </form>
      <ConfirmDialog
        open={confirming !== null}
        title={confirming ? `Start this ${JOB_TYPE_LABEL[confirming.request.type].toLowerCase()}?` : ''}
        description={confirming?.description ?? ''}
        onConfirm={confirm}
        onCancel={() => setConfirming(null)}
      />
    </section>
  );
}

function Field(props: {
  label: string;
  name: StartFormField;
  field: (name: StartFormField) => { id: string };
  error: (name: StartFormField) => ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={props.field(props.name).id}>{props.label}</label>
      {props.children}
      {props.error(props.name)}
    </div>
  );
}
