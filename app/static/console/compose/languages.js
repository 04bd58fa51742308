// An optional English version of the alert: phones set to English get it, the others the
// station's language. Sent as `texts` {fr: …, en: …} beside the main title and body.
import { h, field } from '../../core/dom.js';
import { t } from '../core/i18n.js';
import { BODY_RECOMMENDED, TITLE_RECOMMENDED } from '../../core/vocab.js';

export function createEnglishVersion({ onInput }) {
  const title = field({
    label: t('lang2.title'),
    hint: t('compose.titleHint', { max: TITLE_RECOMMENDED }),
    control: h('input', { type: 'text', name: 'title-en', autocomplete: 'off', lang: 'en' }),
  });
  const body = field({
    label: t('lang2.body'),
    hint: t('compose.bodyHint', { max: BODY_RECOMMENDED }),
    control: h('textarea', { name: 'body-en', rows: 4, lang: 'en' }),
  });
  const add = h('button', { type: 'button', class: 'button button-quiet', dataset: { action: 'add-english' } }, t('lang2.add'));
  const remove = h('button', { type: 'button', class: 'button button-quiet' }, t('lang2.remove'));
  const panel = h('fieldset', { class: 'field english-version', hidden: true },
    h('legend', {}, t('lang2.legend')),
    h('p', { class: 'field-hint' }, t('lang2.hint')),
    title.wrapper, body.wrapper, remove);
  const element = h('div', { class: 'languages' }, add, panel);
  const listeners = [];

  function changed() {
    for (const fn of listeners) fn();
    onInput?.();
  }

  for (const f of [title, body]) {
    f.control.addEventListener('input', () => { f.setError(null); changed(); });
  }
  add.addEventListener('click', () => {
    panel.hidden = false;
    add.hidden = true;
    changed();
    title.control.focus();
  });
  remove.addEventListener('click', () => {
    panel.hidden = true;
    add.hidden = false;
    title.setError(null);
    body.setError(null);
    changed();
    add.focus();
  });

  const active = () => !panel.hidden;
  const values = () => ({ title: title.control.value.trim(), body: body.control.value.trim() });

  function validate() {
    if (!active()) return [];
    const v = values();
    const errors = [];
    if (!v.title) errors.push(['title-en', t('lang2.titleMissing')]);
    if (!v.body) errors.push(['body-en', t('lang2.bodyMissing')]);
    for (const [name, message] of errors) (name === 'title-en' ? title : body).setError(message);
    return errors;
  }

  // a server error on texts.en.title / texts.en.body
  function showError(fieldName, message) {
    if (fieldName === 'texts.en.title') { title.setError(message); return title.control; }
    if (fieldName === 'texts.en.body') { body.setError(message); return body.control; }
    return null;
  }

  function restore(saved) {
    if (!saved || (!saved.title && !saved.body)) return;
    title.control.value = saved.title || '';
    body.control.value = saved.body || '';
    panel.hidden = false;
    add.hidden = true;
  }

  return {
    element, active, values, validate, showError, restore,
    focus: (name) => (name === 'body-en' ? body : title).control.focus(),
    onChange: (fn) => listeners.push(fn),
  };
}
