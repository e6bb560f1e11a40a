import { SessionIndicator } from '../components/SessionIndicator.tsx';
import { Link, useRoute } from '../router/router.tsx';
import type { Route } from '../router/routes.ts';

type Section = 'fleet' | 'alerts' | 'jobs';
const SECTION_OF: Partial<Record<Route['name'], Section>> = {
  fleet: 'fleet',
  device: 'fleet',
  alerts: 'alerts',
  jobs: 'jobs',
  job: 'jobs',
};

/** The banner landmark: product name, the three sections, and the session. */
export function AppHeader() {
  const route = useRoute();
  // A device page belongs to the fleet section, a job page to the jobs: highlighted, but not "the
  // current page".
  const current = (section: Section) => (route.name === section ? ('page' as const) : undefined);
  const sectionClass = (section: Section) => (SECTION_OF[route.name] === section ? 'nav-current' : undefined);
  return (
    <header className="app-header">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <span className="brand">IoT Fleet Monitor</span>
      <nav aria-label="Main">
        <Link to="/" aria-current={current('fleet')} className={sectionClass('fleet')}>
          Fleet
        </Link>
        <Link to="/alerts" aria-current={current('alerts')} className={sectionClass('alerts')}>
          Alerts
        </Link>
        <Link to="/jobs" aria-current={current('jobs')} className={sectionClass('jobs')}>
          Jobs
        </Link>
      </nav>
      <SessionIndicator />
    </header>
  );
}
