/* global CSS */
// Field rules the editor applies as you type: a problem from the API is shown as the same plain sentence
// the server writes (the table comes from the page, data-problems), and a field required only together
// with another (the alt text with an image) is marked required while that other field is filled in.
(function () {
  'use strict';
  var form = document.querySelector('form[data-problems]');
  if (!form) return;
  var table = null;
  try {
    table = JSON.parse(form.dataset.problems);
  } catch {
    table = null;
  }

  function labelOf(name) {
    var wrapper = form.querySelector('.field[data-field="' + CSS.escape(name) + '"]');
    return wrapper ? wrapper.dataset.label : name;
  }

  window.heraldPlainProblem = function (name, problem) {
    if (!table || !problem) return problem;
    var label = labelOf(name);
    for (var i = 0; i < table.known.length; i++) {
      if (new RegExp(table.known[i][0]).test(problem)) return table.known[i][1].replace('{label}', label);
    }
    return table.other.replace('{label}', label).replace('{problem}', problem.replace(/[.\s]+$/, ''));
  };

  form.querySelectorAll('[data-required-with]').forEach(function (wrapper) {
    var other = form.elements.namedItem(wrapper.dataset.requiredWith);
    var input = wrapper.querySelector('input, textarea');
    if (!other || !input) return;
    function update() {
      input.required = other.value.trim() !== '';
    }
    other.addEventListener('input', update);
    update();
  });
})();
