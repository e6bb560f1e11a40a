import { SessionIndicator } from '../components/SessionIndicator.tsx';
import { Link, useRoute } from '../router/router.tsx';

/** The banner landmark: product name, the two sections, and the session. */
export function AppHeader() {
  const route = useRoute();
  // A device page belongs to the fleet section: highlighted, but not "the current page".
  const current = (section: 'fleet' | 'alerts') => (route.name === section ? ('page' as const) : undefined);
  const sectionClass = (section: 'fleet' | 'alerts') =>
    route.name === section || (section === 'fleet' && route.name === 'device') ? 'nav-current' : undefined;
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
      </nav>
      <SessionIndicator />
    </header>
  );
}
