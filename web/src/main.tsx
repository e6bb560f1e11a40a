import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { reloadWhenRestoredFromCache } from './app/page-restore.ts';
import { createAppServices } from './app/services.ts';
import { returnToOf } from './signin/sign-in-url.ts';
import { createSilentSignInGuard, tabTimestampStore } from './signin/silent-sign-in-guard.ts';
import { takeStartupParams } from './signin/startup-params.ts';

// Read (and strip from the address bar) what the BFF or the identity provider passed back, before
// anything renders.
const startup = takeStartupParams();
const { queryClient, sessionEnded } = createAppServices({
  startup,
  guard: createSilentSignInGuard(tabTimestampStore()),
  currentReturnTo: () => returnToOf(window.location),
  assign: (url) => window.location.assign(url),
});

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
const root = createRoot(container);
root.render(
  <StrictMode>
    <App queryClient={queryClient} sessionEnded={sessionEnded} startup={startup} />
  </StrictMode>,
);
reloadWhenRestoredFromCache(() => root.unmount());
