/* global setTimeout, HTMLFormElement, sessionStorage, performance, location */
// Forms that change something are sent once: a second click while the first request runs does nothing,
// and the buttons say so. Back then Submit sends the form's first one-time token (_once) again, so the
// server answers with the first result instead of acting twice.
(function () {
  'use strict';

  // The token each form sent is remembered for this tab; a page reached again by Back or Forward puts it
  // back, so a second submit there is recognised as the first one.
  function storageKey(form) {
    var forms = Array.prototype.indexOf.call(document.forms, form);
    return 'herald-once|' + location.pathname + '|' + form.getAttribute('action') + '|' + forms;
  }

  function remember(form) {
    var token = form.querySelector('input[data-once]');
    try {
      if (token) sessionStorage.setItem(storageKey(form), token.value);
    } catch {
      // storage refused (private mode): the server still answers a double submit once
    }
  }

  function cameBack() {
    var entries = window.performance && performance.getEntriesByType ? performance.getEntriesByType('navigation') : [];
    return entries.length > 0 && entries[0].type === 'back_forward';
  }

  function restoreTokens() {
    if (!cameBack()) return;
    for (var i = 0; i < document.forms.length; i++) {
      var form = document.forms[i];
      var token = form.querySelector('input[data-once]');
      var sent = null;
      try {
        sent = sessionStorage.getItem(storageKey(form));
      } catch {
        sent = null;
      }
      if (token && sent) token.value = sent;
    }
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
    remember(form);
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

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', restoreTokens);
  else restoreTokens();
})();
