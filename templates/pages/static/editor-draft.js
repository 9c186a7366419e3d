/* global Event */
// Unsaved changes in the editor: leaving the page warns (beforeunload), and a copy of the form is kept in
// this browser (localStorage, one per item, "new" for a new one), so a closed tab loses nothing; the
// editor offers to restore it. The copy is dropped once a save of it succeeded (the item page reached by
// the save's redirect says "Saved"), or when the form holds the same again.
(function () {
  'use strict';
  var PREFIX = 'herald-draft|';
  var SAVING = 'herald-draft-saving';
  var local;
  var session;
  try {
    local = window.localStorage;
    session = window.sessionStorage;
  } catch {
    return; // storage refused (private mode): the warning on leaving is all we can do
  }

  // The item page after a successful save of the editor: the copy is on the server now.
  if (!document.getElementById('item-form')) {
    var pending = session.getItem(SAVING);
    if (pending && document.querySelector('.flash-ok')) local.removeItem(PREFIX + pending);
    session.removeItem(SAVING);
    return;
  }

  var form = document.getElementById('item-form');
  var key = PREFIX + (form.dataset.itemId || 'new');
  var refused = Boolean(document.querySelector('.error-summary'));
  session.removeItem(SAVING);

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name.charAt(0) !== '_' && el.type !== 'submit' && el.type !== 'hidden' && el.type !== 'button';
    });
  }

  function id(el) {
    return el.type === 'checkbox' || el.type === 'radio' ? el.name + '=' + el.value : el.name;
  }

  function snapshot() {
    var values = {};
    fields().forEach(function (el) {
      values[id(el)] = el.type === 'checkbox' || el.type === 'radio' ? el.checked : el.value;
    });
    return values;
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  var initial = snapshot();
  var submitting = false;
  // A refused form holds changes the server does not have.
  var dirty = refused;

  function remember() {
    var now = snapshot();
    dirty = refused || !same(now, initial);
    if (!same(now, initial) || refused) local.setItem(key, JSON.stringify({ values: now, at: Date.now() }));
    else local.removeItem(key);
  }

  function offerRestore() {
    var stored = null;
    try {
      stored = JSON.parse(local.getItem(key) || 'null');
    } catch {
      stored = null;
    }
    if (!stored || !stored.values) return;
    if (same(stored.values, initial)) {
      if (!refused) local.removeItem(key);
      return;
    }
    var offer = document.getElementById('draft-restore');
    if (!offer) return;
    offer.hidden = false;
    offer.querySelector('[data-restore]').addEventListener('click', function () {
      fields().forEach(function (el) {
        var value = stored.values[id(el)];
        if (value === undefined) return;
        if (el.type === 'checkbox' || el.type === 'radio') el.checked = Boolean(value);
        else el.value = value;
        el.dispatchEvent(new Event('input', { bubbles: true }));
      });
      offer.hidden = true;
      remember();
    });
    offer.querySelector('[data-discard]').addEventListener('click', function () {
      local.removeItem(key);
      offer.hidden = true;
    });
  }

  form.addEventListener('input', remember);
  form.addEventListener('change', remember);
  form.addEventListener('submit', function () {
    submitting = true;
    session.setItem(SAVING, form.dataset.itemId || 'new');
  });
  window.addEventListener('beforeunload', function (event) {
    if (submitting || !dirty) return;
    event.preventDefault();
    event.returnValue = '';
  });
  offerRestore();
})();
