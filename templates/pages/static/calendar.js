/* global CSS */
// Calendar: drag a scheduled item to another day (or use its "Move" button) and confirm the new date and
// time in a dialog. The dialog posts the same form as without JavaScript would: the server applies the
// schedule rules (a time the zone skips, a time in the past) and says what happened.
(function () {
  'use strict';
  var dialog = document.getElementById('move-dialog');
  if (!dialog || typeof dialog.showModal !== 'function') return;
  var form = dialog.querySelector('form');
  var what = document.getElementById('move-what');
  var moveLabel = dialog.dataset.moveLabel || 'Move';

  function open(entry, date) {
    form.elements.itemId.value = entry.dataset.item;
    form.elements.date.value = date;
    form.elements.time.value = entry.dataset.time;
    what.textContent = entry.querySelector('a').textContent.trim();
    dialog.showModal();
    form.elements.date.focus();
  }

  dialog.querySelector('.move-cancel').addEventListener('click', function () { dialog.close(); });

  document.querySelectorAll('.cal-entry[data-item]').forEach(function (entry) {
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'link cal-move';
    button.textContent = moveLabel;
    button.setAttribute('aria-label', moveLabel + ': ' + entry.querySelector('a').textContent.trim());
    button.addEventListener('click', function () { open(entry, entry.closest('.cal-day').dataset.date); });
    entry.appendChild(button);
    entry.addEventListener('dragstart', function (event) {
      event.dataTransfer.setData('text/plain', entry.dataset.item);
      event.dataTransfer.effectAllowed = 'move';
    });
  });

  document.querySelectorAll('.cal-day').forEach(function (day) {
    day.addEventListener('dragover', function (event) {
      event.preventDefault();
      event.dataTransfer.dropEffect = 'move';
      day.classList.add('drop-target');
    });
    day.addEventListener('dragleave', function () { day.classList.remove('drop-target'); });
    day.addEventListener('drop', function (event) {
      event.preventDefault();
      day.classList.remove('drop-target');
      var id = event.dataTransfer.getData('text/plain');
      var entry = document.querySelector('.cal-entry[data-item="' + CSS.escape(id) + '"]');
      if (entry) open(entry, day.dataset.date);
    });
  });
})();
