// A page restored from the browser's back/forward cache shows what it showed when it was left: after
// signing out, Back could bring the signed-in fleet back on screen. So when the page is put in that
// cache its content is removed, and when it is restored it loads afresh (and checks the session
// again) before anything is shown.

export function reloadWhenRestoredFromCache(unmount: () => void, target: Window = window): void {
  target.addEventListener('pagehide', (event) => {
    if (event.persisted) unmount();
  });
  target.addEventListener('pageshow', (event) => {
    if (event.persisted) target.location.reload();
  });
}
