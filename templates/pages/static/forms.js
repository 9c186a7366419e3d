/* global setTimeout, HTMLFormElement */
// Forms that change something are sent once: a second click while the first request runs does nothing,
// and the buttons say so. The one-time token (_once) is re-set by script so that the browser keeps it
// with the page's form state: Back then Submit sends the first token again and the server answers with
// the first result instead of acting twice.
(function () {
  'use strict';

  function keepTokens() {
    var tokens = document.querySelectorAll('input[data-once]');
    for (var i = 0; i < tokens.length; i++) tokens[i].setAttribute('value', tokens[i].value);
  }

  function buttonsOf(form) {
    return form.querySelectorAll('button[type="submit"], button:not([type]), input[type="submit"]');
  }

  function release(form) {
    delete form.dataset.sending;
    form.removeAttribute('aria-busy');
    var buttons = buttonsOf(form);
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = false;
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || (form.method || '').toLowerCase() !== 'post') return;
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = '1';
    form.setAttribute('aria-busy', 'true');
    // Disabled after the browser has read the form, so that the clicked button's name and value are sent.
    setTimeout(function () {
      var buttons = buttonsOf(form);
      for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
    }, 0);
  });

  // A page restored from the back-forward cache comes back with its buttons usable again.
  window.addEventListener('pageshow', function (event) {
    if (!event.persisted) return;
    var forms = document.querySelectorAll('form[data-sending]');
    for (var i = 0; i < forms.length; i++) release(forms[i]);
  });

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', keepTokens);
  else keepTokens();
})();
