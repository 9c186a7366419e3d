/* global Event */
// Offers the device's time zone next to a time-zone field when it differs from the one filled in.
(function () {
  'use strict';
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch { return; }
  if (!zone) return;
  document.querySelectorAll('input[data-zone-input]').forEach(function (input) {
    if (input.value === zone) return;
    var label = input.dataset.zoneLabel || '{zone}';
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'link';
    button.textContent = label.replace('{zone}', zone);
    button.addEventListener('click', function () {
      input.value = zone;
      input.dispatchEvent(new Event('change', { bubbles: true }));
      button.remove();
      input.focus();
    });
    input.insertAdjacentElement('afterend', button);
  });
})();
