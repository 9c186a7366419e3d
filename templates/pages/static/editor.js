/* global setTimeout, clearTimeout */
// Item editor: live previews per channel (with counters and warnings), the Markdown preview and inline
// field problems, from POST /api/drafts/preview. The form works without this script; only the live
// previews need it.
(function () {
  'use strict';
  var form = document.getElementById('item-form');
  var previews = document.getElementById('previews');
  if (!form || !previews || !window.fetch) return;
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var bodyPreview = document.getElementById('body-preview');
  var touched = {};
  var timer = null;
  var sequence = 0;

  document.querySelectorAll('.no-js').forEach(function (el) { el.hidden = true; });
  document.querySelectorAll('.js-only').forEach(function (el) { el.hidden = false; });

  function fieldId(name) { return 'f-' + name.replace(/[^A-Za-z0-9_-]/g, '-'); }
  function value(name) { var el = form.elements.namedItem(name); return el && typeof el.value === 'string' ? el.value : ''; }
  function format(template, params) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) { return params[key] === undefined ? whole : String(params[key]); });
  }

  function translations() {
    var out = {};
    var byLanguage = {};
    form.querySelectorAll('input[name$=".language"][name^="tr."]').forEach(function (input) {
      var index = input.name.split('.')[1];
      var prefix = 'tr.' + index + '.';
      var language = input.value.trim();
      var title = value(prefix + 'title'), summary = value(prefix + 'summary'), body = value(prefix + 'body');
      if (!language && !title.trim() && !summary.trim() && !body.trim()) return;
      var t = { title: title };
      if (summary.trim()) t.summary = summary;
      if (body.trim()) t.body = body;
      out[language] = t;
      byLanguage[language] = index;
    });
    return { values: out, index: byLanguage };
  }

  function collect() {
    var texts = {};
    form.querySelectorAll('textarea[name^="text."]').forEach(function (el) {
      if (el.value.trim()) texts[el.name.slice(5)] = el.value;
    });
    var tr = translations();
    var fields = {
      title: value('title'),
      summary: value('summary'),
      body: value('body'),
      url: value('url').trim(),
      imageUrl: value('imageUrl').trim() || null,
      imageAlt: value('imageAlt').trim() ? value('imageAlt') : null,
      imageId: value('imageId') && !(form.elements.namedItem('imageRemove') || {}).checked ? value('imageId') : null,
      // As the server reads the form (splitTags): a comma separates tags, the words of one tag stay together.
      tags: value('tags').split(',').map(function (t) {
        return t.trim().replace(/^#/, '').replace(/\s+/g, ' ');
      }).filter(Boolean),
      language: value('language').trim() || 'en',
      translations: tr.values,
      channelTexts: texts,
      thread: form.elements.namedItem('thread') ? form.elements.namedItem('thread').checked : false
    };
    if (value('slug').trim()) fields.slug = value('slug').trim();
    var channels = [];
    form.querySelectorAll('input[name="channels"]').forEach(function (box) { if (box.checked) channels.push(box.value); });
    var request = { fields: fields };
    if (form.dataset.itemId) request.itemId = form.dataset.itemId;
    if (form.querySelector('input[name="channels"]')) request.channels = channels;
    return { request: request, translationIndex: tr.index };
  }

  // The API names fields as the item rules do; the form names them its own way.
  function formName(key, translationIndex) {
    var parts = key.split('.');
    if (parts[0] === 'tags') return 'tags';
    if (parts[0] === 'channelTexts' && parts[1]) return 'text.' + parts.slice(1).join('.');
    if (parts[0] === 'translations' && parts[1] !== undefined && translationIndex[parts[1]] !== undefined) {
      return 'tr.' + translationIndex[parts[1]] + '.' + (parts[2] || 'language');
    }
    return key;
  }

  // field-rules.js words a problem as the server does; without it the API's words are shown.
  var plain = window.heraldPlainProblem || function (name, problem) { return problem; };

  function showProblems(problems, translationIndex) {
    var byField = {};
    Object.keys(problems).forEach(function (key) {
      var name = formName(key, translationIndex);
      if (byField[name] === undefined) byField[name] = problems[key];
    });
    form.querySelectorAll('.field[data-field]').forEach(function (wrapper) {
      var name = wrapper.dataset.field;
      // Only publishing says what is wrong with publishAt, only uploading with the picture (upload.js).
      if (name === 'publishAt' || wrapper.closest('[data-upload]')) return;
      var problem = touched[name] ? byField[name] : undefined;
      var message = document.getElementById(fieldId(name) + '-error');
      var input = document.getElementById(fieldId(name));
      if (!message || !input) return;
      message.textContent = problem ? plain(name, problem) : '';
      message.hidden = !problem;
      wrapper.classList.toggle('has-error', Boolean(problem));
      if (problem) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
    });
  }

  function card(post) {
    var article = document.createElement('article');
    article.className = 'preview';
    article.dataset.account = post.accountId;
    var heading = document.createElement('h3');
    heading.textContent = post.accountName;
    if (post.mode === 'dry-run') {
      var badge = document.createElement('span');
      badge.className = 'badge';
      badge.textContent = previews.dataset.dryRun;
      heading.appendChild(document.createTextNode(' '));
      heading.appendChild(badge);
    }
    article.appendChild(heading);
    var parts = document.createElement('div');
    parts.className = 'post-parts';
    post.parts.forEach(function (text) {
      var p = document.createElement('p');
      p.className = 'post-text';
      p.textContent = text;
      parts.appendChild(p);
    });
    article.appendChild(parts);
    // Uploaded pictures only (served here); outside image addresses are not loaded by the page.
    if (post.image && post.image.url.indexOf('/media/') === 0) article.appendChild(picture(post.image));
    if (post.linkCard) article.appendChild(linkCard(post.linkCard));
    if (post.limit) {
      var counter = document.createElement('p');
      var over = post.length > post.limit;
      counter.className = 'counter' + (over ? ' over' : '');
      counter.textContent = format(previews.dataset.counter, { length: post.length, limit: post.limit }) +
        (over ? ' – ' + format(previews.dataset.over, { over: post.length - post.limit }) : '');
      article.appendChild(counter);
    }
    var warnings = document.createElement('ul');
    warnings.className = 'warnings';
    post.warnings.concat(post.linkCardProblem ? [post.linkCardProblem] : []).forEach(function (w) {
      var li = document.createElement('li');
      li.textContent = w;
      warnings.appendChild(li);
    });
    article.appendChild(warnings);
    if (post.linkMissing && post.link) article.appendChild(addLinkButton(post));
    if (post.cost) {
      var cost = document.createElement('p');
      cost.className = 'small post-cost';
      cost.textContent = format(previews.dataset.cost, { usd: post.cost.shown, withUrl: post.cost.postsWithUrl, plain: post.cost.posts });
      article.appendChild(cost);
    }
    if (post.onPublish) {
      var note = document.createElement('p');
      note.className = 'muted small on-publish';
      note.textContent = post.onPublish.message;
      article.appendChild(note);
    }
    return article;
  }

  function picture(image) {
    var figure = document.createElement('figure');
    figure.className = 'post-image';
    var img = document.createElement('img');
    img.src = image.url;
    img.alt = image.alt;
    figure.appendChild(img);
    return figure;
  }

  // What the page's tags say, as Herald read them; the page's picture is named, not loaded (outside address).
  function linkCard(found) {
    var box = element('aside', 'link-card');
    box.appendChild(element('p', 'muted small', found.fromItem ? previews.dataset.linkCardFromItem : previews.dataset.linkCard));
    [['site', found.siteName || hostOf(found.url)], ['title', found.title], ['description', found.description],
      ['image muted small', found.image && format(previews.dataset.linkCardImage, { url: found.image })]]
      .forEach(function (line) { if (line[1]) box.appendChild(element('p', 'link-card-' + line[0], line[1])); });
    return box;
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    el.className = className;
    if (text) el.textContent = text;
    return el;
  }

  function hostOf(url) {
    try { return new URL(url).host; } catch { return url; }
  }

  // The text field a post's hand-written text came from: its account's, else its platform's.
  function textFieldOf(post) {
    return form.querySelector('[name="text.' + post.accountId + '"]') ||
      form.querySelector('[name="text.' + post.platform + '"]');
  }

  function addLinkButton(post) {
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary add-link';
    button.textContent = previews.dataset.addLink;
    button.addEventListener('click', function () {
      var field = textFieldOf(post);
      if (!field) return;
      field.value = field.value.replace(/\s+$/, '') + (field.value.trim() ? ' ' : '') + post.link;
      field.dispatchEvent(new window.Event('input', { bubbles: true }));
      field.focus();
    });
    return button;
  }

  function render(answer, translationIndex) {
    previews.textContent = '';
    if (!answer.posts.length) {
      var empty = document.createElement('p');
      empty.className = 'muted';
      empty.textContent = previews.dataset.empty;
      previews.appendChild(empty);
    }
    answer.posts.forEach(function (post) { previews.appendChild(card(post)); });
    // Sanitised by the server (the same rules as the stored article).
    if (bodyPreview) bodyPreview.innerHTML = answer.bodyHtml;
    showProblems(answer.fields || {}, translationIndex);
  }

  function refresh() {
    var collected = collect();
    var mine = ++sequence;
    previews.setAttribute('aria-busy', 'true');
    fetch('/api/drafts/preview', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf ? csrf.content : '' },
      body: JSON.stringify(collected.request)
    })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (answer) {
        if (answer && mine === sequence) render(answer, collected.translationIndex);
      })
      .catch(function () { /* the next keystroke tries again */ })
      .then(function () { if (mine === sequence) previews.setAttribute('aria-busy', 'false'); });
  }

  function schedule(event) {
    if (event && event.target && event.target.name) touched[event.target.name] = true;
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }

  form.addEventListener('input', schedule);
  form.addEventListener('change', schedule);
  form.addEventListener('focusout', function (event) { if (event.target.name) { touched[event.target.name] = true; schedule(); } });
  // Fields the server already found wrong count as touched, so their messages stay until fixed.
  form.querySelectorAll('.field.has-error[data-field]').forEach(function (w) { touched[w.dataset.field] = true; });
  refresh();
})();
