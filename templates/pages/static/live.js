/* global setTimeout */
// Keeps a live part of a page current (the dashboard, a newsletter's progress): re-fetches the HTML
// fragment named by data-live-url every few seconds while the tab is visible, and leaves it alone while
// someone is using a control inside it.
(function () {
  'use strict';
  if (!window.fetch) return;
  document.querySelectorAll('[data-live-url]').forEach(function (live) {
    var url = live.dataset.liveUrl;
    var every = Number(live.dataset.liveEvery) || 5000;
    var stopped = false;
    var last = null;

    function busy() { return live.contains(document.activeElement) && document.activeElement !== document.body; }

    function tick() {
      if (stopped) return;
      if (document.visibilityState !== 'visible' || busy()) return setTimeout(tick, every);
      fetch(url, { credentials: 'same-origin', headers: { accept: 'text/html' } })
        .then(function (res) {
          if (res.redirected || !res.ok) { stopped = res.redirected; return null; }
          return res.text();
        })
        .then(function (html) {
          if (html !== null && html !== undefined && !busy() && html !== last) {
            last = html;
            live.innerHTML = html;
          }
        })
        .catch(function () { /* try again on the next tick */ })
        .then(function () { setTimeout(tick, every); });
    }
    setTimeout(tick, every);
  });
})();
