/* global localStorage, HTMLFormElement */
// Signing out forgets the editor's unsaved copies (editor-draft.js keeps them in this browser), so the next
// person to use this computer does not find them.
(function () {
  'use strict';
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.getAttribute('action') !== '/logout') return;
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var key = localStorage.key(i);
        if (key && key.indexOf('herald-draft|') === 0) localStorage.removeItem(key);
      }
    } catch {
      // storage refused: nothing was kept either
    }
  });
})();
