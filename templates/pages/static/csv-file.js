/* global FileReader */
// Reads a chosen CSV file into the import form's text box, so the file is sent as a normal form field
// (no upload handling on the server). Without JavaScript, people paste the CSV instead.
(function () {
  'use strict';
  var input = document.getElementById('csv-file');
  var target = document.getElementById('f-csv');
  if (!input || !target || !window.FileReader) return;
  input.closest('.field').hidden = false;
  input.addEventListener('change', function () {
    var file = input.files && input.files[0];
    if (!file) return;
    var reader = new FileReader();
    reader.onload = function () { target.value = String(reader.result); };
    reader.readAsText(file);
  });
})();
