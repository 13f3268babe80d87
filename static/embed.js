/*
 * Chokepoint embed snippet. Include once with <script src=".../embed.js" defer></script>; every
 * <div data-chokepoint> (or <chokepoint-calculator> element) on the page becomes the calculator
 * widget in an iframe whose height follows its content. Options are data attributes of the div (see EMBEDDING.md); the widget validates
 * them. Message protocol "chokepoint-embed", version 2: the widget posts
 *   { protocol: "chokepoint-embed", version: 2, id, type: "resize", height }
 * on every size change, and
 *   { protocol: "chokepoint-embed", version: 2, id, type: "summary", summary }
 * only after the visitor clicked "Send my summary to <host>" (the product and its findings, no
 * quantity); this script re-dispatches the summary as a "chokepoint:summary" CustomEvent on the
 * div (event.detail = summary).
 */
(function () {
  'use strict';
  var PROTOCOL = 'chokepoint-embed';
  var VERSION = 2;
  var MIN_HEIGHT = 480;
  var MAX_HEIGHT = 20000;
  // data-* attribute (dataset key) -> fragment parameter.
  var OPTIONS = {
    accent: 'accent', background: 'background', font: 'font', theme: 'theme',
    logo: 'logo', logoAlt: 'logo_alt', template: 'template',
    ctaLabel: 'cta_label', ctaHref: 'cta_href', fullLink: 'full_link'
  };
  var script = document.currentScript;
  if (!script || !script.src) return;
  var app = new URL('./', script.src);
  var widgets = [];
  var count = 0;

  function mount(div) {
    if (div.querySelector('iframe[data-chokepoint-frame]')) return;
    count += 1;
    var id = /^[A-Za-z0-9_-]{1,64}$/.test(div.id) ? div.id : 'chokepoint-' + count;
    var params = ['origin=' + encodeURIComponent(location.origin), 'id=' + encodeURIComponent(id)];
    Object.keys(OPTIONS).forEach(function (key) {
      var value = div.dataset[key];
      if (value !== undefined) params.push(OPTIONS[key] + '=' + encodeURIComponent(value));
    });
    var frame = document.createElement('iframe');
    frame.setAttribute('data-chokepoint-frame', '');
    frame.title = div.getAttribute('data-title') || 'Chokepoint critical-minerals calculator';
    // Scripts run in the calculator's own origin (needed to load its WebAssembly); it may open
    // the full calculator in a new tab, and nothing else: no top navigation, forms or modals.
    frame.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox');
    frame.setAttribute('allow', "camera 'none'; microphone 'none'; geolocation 'none'; payment 'none'; usb 'none'");
    frame.setAttribute('referrerpolicy', 'no-referrer');
    frame.src = app.href + 'embed.html#/embed?' + params.join('&');
    // CSSOM, not a style attribute: allowed under a strict style-src.
    frame.style.display = 'block';
    frame.style.width = '100%';
    frame.style.border = '0';
    frame.style.height = MIN_HEIGHT + 'px';
    div.appendChild(frame);
    widgets.push({ div: div, frame: frame, id: id });
  }

  window.addEventListener('message', function (event) {
    if (event.origin !== app.origin) return;
    var data = event.data;
    if (!data || data.protocol !== PROTOCOL || data.version !== VERSION) return;
    for (var i = 0; i < widgets.length; i += 1) {
      var w = widgets[i];
      if (w.frame.contentWindow !== event.source || data.id !== w.id) continue;
      if (data.type === 'resize' && typeof data.height === 'number' && isFinite(data.height)) {
        var height = Math.min(Math.max(Math.ceil(data.height), 0), MAX_HEIGHT);
        w.frame.style.height = height + 'px';
      } else if (data.type === 'summary' && data.summary && typeof data.summary === 'object') {
        w.div.dispatchEvent(new CustomEvent('chokepoint:summary', { detail: data.summary, bubbles: true }));
      }
    }
  });

  function scan() {
    Array.prototype.forEach.call(document.querySelectorAll('div[data-chokepoint]'), mount);
  }

  // The same widget as a Custom Element, <chokepoint-calculator data-...>: the same iframe
  // inside, so the same privacy guarantee (the host page never gets at the widget's inputs).
  if (window.customElements && !window.customElements.get('chokepoint-calculator')) {
    window.customElements.define('chokepoint-calculator', class extends HTMLElement {
      connectedCallback() {
        if (!this.style.display) this.style.display = 'block';
        mount(this);
      }
    });
  }
  window.Chokepoint = { protocol: PROTOCOL, version: VERSION, scan: scan };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', scan);
  else scan();
})();
