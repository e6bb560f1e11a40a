import { type AnchorHTMLAttributes, type MouseEvent, useMemo, useSyncExternalStore } from 'react';
import { parseRoute, type Route, routeHref } from './routes.ts';

// A small router on the History API: the location is an external store, pages read a typed Route.

const NAVIGATE_EVENT = 'app:navigate';
let navigations = 0;

function subscribe(onChange: () => void): () => void {
  const onPop = () => {
    navigations++;
    onChange();
  };
  window.addEventListener('popstate', onPop);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onPop);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

const currentHref = () => `${window.location.pathname}${window.location.search}`;

/** Path and query of the current location; re-renders on every navigation. */
export function useLocationHref(): string {
  return useSyncExternalStore(subscribe, currentHref, currentHref);
}

export function useRoute(): Route {
  const href = useLocationHref();
  return useMemo(() => {
    const url = new URL(href, 'http://app.invalid');
    return parseRoute(url.pathname, url.search);
  }, [href]);
}

/**
 * How many navigations happened since the page loaded; 0 on the first screen. Pages move focus to
 * their heading after a navigation (so screen readers hear the new page) but not on first load.
 */
export const navigationCount = (): number => navigations;

export interface NavigateOptions {
  /** Replace the history entry (filters, canonical URLs) instead of adding one. */
  replace?: boolean;
}

export function navigate(to: Route | string, options: NavigateOptions = {}): void {
  const href = typeof to === 'string' ? to : routeHref(to);
  if (href === currentHref() && options.replace) return;
  if (options.replace) {
    window.history.replaceState(window.history.state, '', href);
  } else {
    window.history.pushState(null, '', href);
    navigations++;
    window.scrollTo?.(0, 0);
  }
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: Route | string };

const isPlainLeftClick = (event: MouseEvent) =>
  event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;

/** An ordinary `<a href>` (opens in a new tab, copies, keyboard) that navigates in place on a plain click. */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const href = typeof to === 'string' ? to : routeHref(to);
  return (
    <a
      {...rest}
      href={href}
      onClick={(event) => {
        onClick?.(event);
        if (event.defaultPrevented || !isPlainLeftClick(event) || rest.target) return;
        event.preventDefault();
        navigate(href);
      }}
    />
  );
}
