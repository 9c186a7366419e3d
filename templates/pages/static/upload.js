/* global FormData, DataTransfer */
// Item editor: upload a picture at once, by the Upload button or by dropping it on the upload box. The file goes
// to POST /api/media with its alt text; the form then carries only the new upload's id (imageId) and shows a
// thumbnail. Without this script the picture goes with the form itself (the form is multipart).
(function () {
  'use strict';
  var box = document.getElementById('upload');
  if (!box || !window.fetch || !window.FormData) return;
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var input = document.getElementById('f-imageFile');
  var alt = document.getElementById('f-uploadAlt');
  var imageId = document.getElementById('f-imageId');
  var remove = document.getElementById('f-imageRemove');
  var thumb = document.getElementById('upload-thumb');
  var button = document.getElementById('upload-button');
  var zone = document.getElementById('drop-zone');
  var status = document.getElementById('upload-status');
  var text = box.dataset;

  box.querySelectorAll('.js-only').forEach(function (el) { el.hidden = false; });

  function say(message, isError) {
    status.textContent = message;
    status.classList.toggle('error', Boolean(isError));
  }

  function fieldError(name, problem) {
    var field = document.getElementById('f-' + name);
    var message = document.getElementById('f-' + name + '-error');
    message.textContent = problem || '';
    message.hidden = !problem;
    field.closest('.field').classList.toggle('has-error', Boolean(problem));
    if (problem) field.setAttribute('aria-invalid', 'true'); else field.removeAttribute('aria-invalid');
  }

  function showUpload(media) {
    imageId.value = media.id;
    var img = document.getElementById('upload-thumb-img');
    img.src = media.url;
    img.alt = media.alt;
    document.getElementById('upload-thumb-alt').textContent = media.alt;
    document.getElementById('upload-thumb-link').href = '/media-library#m-' + media.id;
    if (remove) remove.checked = false;
    thumb.hidden = false;
    input.value = '';
    alt.value = '';
    // The live previews (editor.js) refresh on a change in the form.
    imageId.dispatchEvent(new window.Event('change', { bubbles: true }));
  }

  function refused(answer) {
    var error = (answer && answer.error) || {};
    var fields = error.fields || {};
    if (error.code === 'file_too_large') fields.file = text.tooLarge;
    if (fields.file) fieldError('imageFile', fields.file);
    if (fields.alt) fieldError('uploadAlt', fields.alt);
    if (fields.alt && !fields.file) alt.focus();
    var reason = fields.file || fields.alt || error.message || '';
    say(text.failed.replace('{reason}', reason), true);
  }

  function upload() {
    var file = input.files && input.files[0];
    fieldError('imageFile', '');
    fieldError('uploadAlt', '');
    if (!file) { fieldError('imageFile', text.needFile); input.focus(); return; }
    if (!alt.value.trim()) { fieldError('uploadAlt', text.needAlt); alt.focus(); return; }
    if (file.size > Number(text.maxBytes)) { fieldError('imageFile', text.tooLarge); return; }
    var body = new FormData();
    body.append('alt', alt.value);
    body.append('file', file, file.name);
    say(text.uploading, false);
    button.disabled = true;
    fetch('/api/media', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'x-csrf-token': csrf ? csrf.content : '' },
      body: body
    })
      .then(function (res) {
        return res.json().then(function (answer) { return { ok: res.ok, answer: answer }; });
      })
      .then(function (result) {
        if (!result.ok) return refused(result.answer);
        showUpload(result.answer);
        say(text.uploaded, false);
      })
      .catch(function () { say(text.failed.replace('{reason}', ''), true); })
      .then(function () { button.disabled = false; });
  }

  button.addEventListener('click', upload);

  // Dropping a picture puts it in the file field, then uploads it once there is alt text.
  box.addEventListener('dragover', function (event) {
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    zone.classList.add('drop-target');
  });
  box.addEventListener('dragleave', function () { zone.classList.remove('drop-target'); });
  box.addEventListener('drop', function (event) {
    event.preventDefault();
    zone.classList.remove('drop-target');
    var files = event.dataTransfer.files;
    if (!files || !files.length) return;
    var chosen = new DataTransfer();
    chosen.items.add(files[0]);
    input.files = chosen.files;
    if (alt.value.trim()) upload();
    else { fieldError('uploadAlt', text.needAlt); alt.focus(); }
  });
})();
