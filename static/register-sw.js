// Registers the service worker (sw.js, written at build time) so that a returning visitor gets
// the full app offline and nothing the app does after loading reaches the network. Sets
// <html data-offline="ready"> once every file of this build is cached and the page is served
// from that cache; shows a notice when a newer build is waiting. Loaded by a <script src>, so the
// Content-Security-Policy needs no exception for it.
(function () {
  const root = document.documentElement;
  if (!('serviceWorker' in navigator) || location.protocol === 'file:') {
    root.dataset.offline = 'unavailable';
    return;
  }
  function notice(registration) {
    if (document.getElementById('update-notice')) return;
    const box = document.createElement('div');
    box.id = 'update-notice';
    box.className = 'update-notice';
    box.setAttribute('role', 'status');
    box.textContent = 'A new version of Chokepoint is ready. ';
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Reload to use it';
    button.addEventListener('click', () => {
      navigator.serviceWorker.addEventListener('controllerchange', () => location.reload());
      registration.waiting?.postMessage('chokepoint:activate-update');
    });
    box.append(button);
    document.body.append(box);
  }
  navigator.serviceWorker
    .register('./sw.js')
    .then(async (registration) => {
      if (registration.waiting && navigator.serviceWorker.controller) notice(registration);
      registration.addEventListener('updatefound', () => {
        const next = registration.installing;
        next?.addEventListener('statechange', () => {
          if (next.state === 'installed' && navigator.serviceWorker.controller) notice(registration);
        });
      });
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
