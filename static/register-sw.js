// Registers the service worker (sw.js, written at build time) so that a returning visitor gets
// the full app offline and nothing the app does after loading reaches the network. Sets
// <html data-offline="ready"> once every file of this build is cached and the page is served
// from that cache; shows a notice when a newer build is waiting, and when another tab switched to
// it (this page then keeps its own build: the service worker refuses to hand it the other
// build's bundles, so it asks for a reload). Sets data-offline="failed" when the copy could not
// be installed (a file that does not match the build, sw.template.js). Loaded by a <script src>,
// so the Content-Security-Policy needs no exception for it.
(function () {
  const root = document.documentElement;
  if (!('serviceWorker' in navigator) || location.protocol === 'file:') {
    root.dataset.offline = 'unavailable';
    return;
  }
  let updating = false;
  function notice(registration, text = 'A new version of Chokepoint is ready. ') {
    document.getElementById('update-notice')?.remove();
    const box = document.createElement('div');
    box.id = 'update-notice';
    box.className = 'update-notice';
    box.setAttribute('role', 'status');
    box.textContent = text;
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Reload to use it';
    button.addEventListener('click', () => {
      if (!registration?.waiting) {
        location.reload();
        return;
      }
      updating = true;
      navigator.serviceWorker.addEventListener('controllerchange', () => location.reload());
      registration.waiting.postMessage('chokepoint:activate-update');
    });
    box.append(button);
    document.body.append(box);
  }
  const controlled = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // Another tab took a new build: this page keeps running its own until reloaded.
    if (controlled && !updating) {
      notice(null, 'Chokepoint was updated in another tab; this page still runs the previous version. ');
    }
  });
  navigator.serviceWorker
    .register('./sw.js')
    .then(async (registration) => {
      if (registration.waiting && navigator.serviceWorker.controller) notice(registration);
      const watch = (next) =>
        next?.addEventListener('statechange', () => {
          if (next.state === 'installed' && navigator.serviceWorker.controller) notice(registration);
          // An install that failed (a file that does not match this build) leaves no copy.
          if (next.state === 'redundant' && !registration.active) {
            root.dataset.offline = 'failed';
            console.warn('Chokepoint: offline copy not installed (see the service worker console)');
          }
        });
      watch(registration.installing);
      registration.addEventListener('updatefound', () => watch(registration.installing));
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((done) =>
          navigator.serviceWorker.addEventListener('controllerchange', done, { once: true }),
        );
      }
      root.dataset.offline = 'ready';
    })
    .catch((error) => {
      root.dataset.offline = 'failed';
      console.warn('Chokepoint: offline copy not installed:', error);
    });
})();
