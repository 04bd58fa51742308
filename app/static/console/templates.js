// Alert templates: the station's library (built-in municipal templates, its edits, its own).
// In the compose step, a picker fills title, body, category and severity; the blanks still to
// fill ([rue], [date]) are listed and block sending. On the admin page, a section edits a
// template's texts in French and English, or puts a built-in one back to its default.
// A blank is written in square brackets: the same rule as app/alert_templates.py.
import { api, ApiError } from './core/api.js';
import { announce, clear, field, h } from '../core/dom.js';
import { currentLang, LANGS, languageName, t } from './core/i18n.js';
import { CATEGORIES, SEVERITIES } from '../core/vocab.js';

const BLANK = /\[[\p{L}][\p{L}\p{N}_ '’-]{0,39}\]/gu;
const base = (slug) => `/api/v1/stations/${encodeURIComponent(slug)}/templates`;

// The blanks still in a text, each once, in order of appearance.
export function blanksIn(text) {
  return [...new Set((text || '').match(BLANK) || [])];
}

export async function loadTemplates(slug) {
  const data = await api('GET', base(slug));
  return data.templates || [];
}

// The template's words in the console's language, or in the other one if it has only that.
function textOf(template, lang = currentLang()) {
  return template.texts[lang] || template.texts[LANGS.find((l) => template.texts[l])];
}

// ------------------------------------------------------------------------------ compose step

// form: the message form (message-form.js); sendButton: its submit button.
export function createTemplatePicker({ slug, form, sendButton }) {
  const select = h('select', { name: 'template' }, h('option', { value: '' }, t('templates.none')));
  const picker = field({ label: t('templates.label'), hint: t('templates.hint'), control: select });
  const titleControl = form.element.querySelector('[name=title]');
  const bodyControl = form.element.querySelector('[name=body]');
  let templates = [];

  const list = h('span', { class: 'blank-list' });
  const blanksBox = h('div', { class: 'notice notice-warning blanks', 'aria-live': 'polite', hidden: true },
    h('strong', {}, t('templates.toFill')), ' ', list);
  const guard = h('p', { class: 'field-error send-blocked', id: 'send-blocked', hidden: true });

  // Selects a blank where it is, so that typing replaces it.
  function goTo(blank) {
    for (const control of [titleControl, bodyControl]) {
      const at = control.value.indexOf(blank);
      if (at >= 0) {
        control.focus();
        control.setSelectionRange(at, at + blank.length);
        return;
      }
    }
  }

  function check() {
    const blanks = blanksIn(`${titleControl.value}\n${bodyControl.value}`);
    clear(list, blanks.map((b, i) => [i ? ' ' : null,
      h('button', { type: 'button', class: 'blank', title: t('templates.goToBlank'), onclick: () => goTo(b) },
        h('mark', {}, b))]));
    blanksBox.hidden = blanks.length === 0;
    guard.hidden = blanks.length === 0;
    guard.textContent = blanks.length ? t('templates.sendBlocked', { count: blanks.length, blanks: blanks.join(', ') }) : '';
    sendButton.disabled = blanks.length > 0;
    if (blanks.length) sendButton.setAttribute('aria-describedby', guard.id);
    else sendButton.removeAttribute('aria-describedby');
    return blanks;
  }
  // direct listeners: a restored draft's events do not bubble
  titleControl.addEventListener('input', check);
  bodyControl.addEventListener('input', check);

  select.addEventListener('change', () => {
    const template = templates.find((tpl) => tpl.key === select.value);
    if (!template) return;
    const text = textOf(template);
    const typed = titleControl.value.trim() || bodyControl.value.trim();
    if (typed && !window.confirm(t('templates.replaceConfirm'))) {
      select.value = '';
      return;
    }
    titleControl.value = '';
    bodyControl.value = '';
    form.restore({ title: text.title, body: text.body, category: template.category, severity: template.severity });
    const blanks = check();
    announce(t('templates.applied', { name: text.name, count: blanks.length }));
    if (blanks.length) goTo(blanks[0]);
  });

  loadTemplates(slug).then((found) => {
    templates = found;
    clear(select, h('option', { value: '' }, t('templates.none')),
      templates.map((tpl) => h('option', { value: tpl.key }, textOf(tpl).name)));
  }).catch((err) => picker.setError(err.message || t('error.unexpected')));

  check();
  // the blanks are listed right under the message, where they are filled in
  (bodyControl.closest('.field') || bodyControl).after(blanksBox);
  return { element: h('div', { class: 'template-picker' }, picker.wrapper), guard, check };
}

// -------------------------------------------------------------------------------- admin page

function vocabularySelect(values, prefix, selected) {
  return h('select', {}, values.map((v) => h('option', { value: v, selected: v === selected }, t(`${prefix}.${v}`))));
}

function editor(slug, template, done) {
  const category = field({ label: t('compose.category'), control: vocabularySelect(CATEGORIES, 'category', template.category) });
  const severity = field({ label: t('compose.severity'), control: vocabularySelect(SEVERITIES, 'severity', template.severity) });
  const fields = { category, severity };
  const languages = LANGS.map((lang) => {
    const text = template.texts[lang] || { name: '', title: '', body: '' };
    const make = (name, control) => {
      control.value = text[name];
      const f = field({ label: t(`templates.${name}`), control });
      fields[`texts.${lang}.${name}`] = f;
      return f.wrapper;
    };
    return h('fieldset', { class: 'stack', lang },
      h('legend', {}, languageName(lang)),
      make('name', h('input', { type: 'text', autocomplete: 'off', maxlength: 80 })),
      make('title', h('input', { type: 'text', autocomplete: 'off', maxlength: 120 })),
      make('body', h('textarea', { rows: 5, maxlength: 1000 })));
  });
  const formError = h('div', { class: 'notice notice-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'button button-primary' }, t('templates.save'));
  const cancel = h('button', { type: 'button', class: 'button', onclick: () => done(false) }, t('templates.cancel'));
  const form = h('form', { class: 'stack template-editor', novalidate: true, dataset: { key: template.key } },
    formError, h('p', { class: 'field-hint' }, t('templates.blankSyntax')),
    category.wrapper, severity.wrapper, languages, h('div', { class: 'dialog-actions' }, cancel, save));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formError.hidden = true;
    Object.values(fields).forEach((f) => f.setError(null));
    const texts = {};
    for (const lang of LANGS) {
      const text = Object.fromEntries(['name', 'title', 'body'].map((n) => [n, fields[`texts.${lang}.${n}`].control.value.trim()]));
      if (text.name || text.title || text.body) texts[lang] = text; // a language left empty is left out
    }
    const body = { texts, category: category.control.value, severity: severity.control.value };
    save.disabled = true;
    try {
      await api('PUT', `${base(slug)}/${encodeURIComponent(template.key)}`, body);
      announce(t('templates.saved', { name: textOf({ texts }).name }));
      done(true);
    } catch (err) {
      const message = err instanceof ApiError ? err.message : t('error.unexpected');
      const target = err instanceof ApiError && err.field ? fields[err.field] : null;
      if (target) {
        target.setError(message);
        target.control.focus();
      } else {
        formError.textContent = message;
        formError.hidden = false;
      }
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

export function templatesSection(slug) {
  const list = h('ul', { class: 'plain-list template-list' });
  const problem = h('div');
  const editing = h('div');

  async function load() {
    let templates;
    try {
      templates = await loadTemplates(slug);
      clear(problem);
    } catch (err) {
      clear(problem, h('div', { class: 'notice notice-error', role: 'alert' }, err.message));
      return;
    }
    clear(list, templates.map((tpl) => {
      const name = textOf(tpl).name;
      const edit = h('button', { type: 'button', class: 'button button-quiet', 'aria-label': t('templates.editNamed', { name }) },
        t('templates.edit'));
      edit.addEventListener('click', () => {
        clear(editing, h('h3', {}, t('templates.editing', { name })),
          editor(slug, tpl, (changed) => { clear(editing); if (changed) load(); edit.focus(); }));
        editing.querySelector('select, input, textarea')?.focus();
      });
      let reset = null;
      if (tpl.edited) {
        const label = tpl.builtin ? t('templates.reset') : t('templates.delete');
        reset = h('button', { type: 'button', class: 'button button-quiet', 'aria-label': `${label} — ${name}` }, label);
        reset.addEventListener('click', async () => {
          const question = tpl.builtin ? t('templates.resetConfirm', { name }) : t('templates.deleteConfirm', { name });
          if (!window.confirm(question)) return;
          try {
            await api('DELETE', `${base(slug)}/${encodeURIComponent(tpl.key)}`);
            announce(tpl.builtin ? t('templates.wasReset', { name }) : t('templates.deleted', { name }));
            clear(editing);
            load();
          } catch (err) {
            clear(problem, h('div', { class: 'notice notice-error', role: 'alert' }, err.message));
          }
        });
      }
      return h('li', { dataset: { key: tpl.key } },
        h('span', {}, h('strong', {}, name), ' — ', t(`category.${tpl.category}`), ', ', t(`severity.short.${tpl.severity}`),
          tpl.edited ? [' ', h('span', { class: 'badge' }, tpl.builtin ? t('templates.edited') : t('templates.own'))] : null),
        h('span', { class: 'template-actions' }, edit, reset));
    }));
  }
  load();
  return h('section', { class: 'card', 'aria-labelledby': 'templates-h' },
    h('h2', { id: 'templates-h' }, t('templates.heading')),
    h('p', { class: 'field-hint' }, t('templates.intro')), problem, list, editing);
}
