import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RANGE,
  fleetRoute,
  jobRoute,
  jobsRoute,
  parseRoute,
  type Route,
  routeHref,
} from './routes.ts';

const parse = (href: string) => {
  const url = new URL(href, 'http://app.test');
  return parseRoute(url.pathname, url.search);
};

describe('parseRoute', () => {
  it('matches the fleet, alerts and signed-out routes', () => {
    expect(parse('/')).toEqual(fleetRoute());
    expect(parse('/alerts')).toEqual({ name: 'alerts' });
    expect(parse('/signed-out')).toEqual({ name: 'signed-out' });
  });

  it('matches a device and reads its range from the URL', () => {
    expect(parse('/devices/dev-0042?range=6h')).toEqual({ name: 'device', id: 'dev-0042', range: '6h' });
    for (const range of ['1h', '6h', '24h', '7d'] as const) {
      expect(parse(`/devices/dev-0001?range=${range}`)).toMatchObject({ range });
    }
  });

  it('falls back to the default range when it is missing or unknown', () => {
    expect(parse('/devices/dev-0001')).toMatchObject({ range: DEFAULT_RANGE });
    expect(parse('/devices/dev-0001?range=2h')).toMatchObject({ range: DEFAULT_RANGE });
    expect(parse('/devices/dev-0001?range=')).toMatchObject({ range: DEFAULT_RANGE });
  });

  it('decodes the device id, and sends what does not match to not-found', () => {
    expect(parse('/devices/dev%2D0001')).toMatchObject({ name: 'device', id: 'dev-0001' });
    expect(parse('/devices/')).toEqual({ name: 'not-found', path: '/devices/' });
    expect(parse('/devices/a/b')).toEqual({ name: 'not-found', path: '/devices/a/b' });
    expect(parse('/devices/%E0%A4%A')).toMatchObject({ name: 'not-found' });
    expect(parse('/nowhere')).toEqual({ name: 'not-found', path: '/nowhere' });
  });

  it('reads fleet filters, dropping values that are not allowed', () => {
    expect(parse('/?site=ams-dc&status=offline&q=freezer&sort=-lastSeen')).toEqual(
      fleetRoute({ site: 'ams-dc', status: 'offline', q: 'freezer', sort: '-lastSeen' }),
    );
    expect(parse('/?status=broken&sort=evil')).toEqual(fleetRoute());
  });
});

describe('the jobs routes', () => {
  it('read the list filters and the page, dropping what is not allowed', () => {
    expect(parse('/jobs')).toEqual(jobsRoute());
    expect(parse('/jobs/?status=paused&type=telemetry-export&mine=true&page=3')).toEqual(
      jobsRoute({ status: 'paused', type: 'telemetry-export', mine: true, page: 3 }),
    );
    expect(parse('/jobs?status=stuck&type=reboot&mine=yes&page=-2')).toEqual(jobsRoute());
    expect(parse('/jobs?page=1.5')).toEqual(jobsRoute());
  });

  it('read a job and the page of its per-device outcomes', () => {
    expect(parse('/jobs/job-0001')).toEqual(jobRoute('job-0001'));
    expect(parse('/jobs/job%2D0001?page=4')).toEqual({ name: 'job', id: 'job-0001', page: 4 });
    expect(parse('/jobs/a/b')).toEqual({ name: 'not-found', path: '/jobs/a/b' });
    expect(parse('/jobs/%E0%A4%A')).toMatchObject({ name: 'not-found' });
  });

  it('leave defaults out of the URL', () => {
    expect(routeHref(jobsRoute())).toBe('/jobs');
    expect(routeHref(jobsRoute({ mine: true, page: 2 }))).toBe('/jobs?mine=true&page=2');
    expect(routeHref(jobRoute('job-0001'))).toBe('/jobs/job-0001');
    expect(routeHref(jobRoute('job 1', 2))).toBe('/jobs/job%201?page=2');
  });
});

describe('routeHref', () => {
  it('keeps the range in the device URL', () => {
    expect(routeHref({ name: 'device', id: 'dev-0001', range: '7d' })).toBe('/devices/dev-0001?range=7d');
  });

  it('leaves defaults out of the fleet URL', () => {
    expect(routeHref(fleetRoute())).toBe('/');
    expect(routeHref(fleetRoute({ q: 'cold room', status: 'degraded' }))).toBe(
      '/?status=degraded&q=cold+room',
    );
  });

  it('round-trips every kind of route', () => {
    const routes: Route[] = [
      fleetRoute({ site: 'sgp-hub', sort: 'battery' }),
      { name: 'device', id: 'dev-10000', range: '1h' },
      { name: 'device', id: 'a b/c', range: '24h' },
      { name: 'alerts' },
      { name: 'signed-out' },
      jobsRoute({ status: 'failed', type: 'recalibration', mine: true, page: 9 }),
      jobRoute('job/with slash', 3),
    ];
    for (const route of routes) expect(parse(routeHref(route))).toEqual(route);
  });
});
