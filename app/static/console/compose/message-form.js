// The alert's words and settings: title, body (with lock-screen counters), severity, category,
// expiry and, for a municipality allowed to, who receives it.
import { h, field, newId } from '../../core/dom.js';
import { formatDateTime, t } from '../core/i18n.js';
import {
  BODY_RECOMMENDED, CATEGORIES, DEFAULT_EXPIRY_H, EXPIRY_CHOICES_H, SEVERITIES, TITLE_RECOMMENDED,
} from '../../core/vocab.js';

const MIN_LIFETIME_MS = 60 * 1000;
const MAX_LIFETIME_MS = 7 * 24 * 3600 * 1000;

function counter(control, recommended) {
  const el = h('p', { class: 'counter', 'aria-live': 'off' });
  let wasOver = false;
  const warn = h('span', { class: 'visually-hidden', 'aria-live': 'polite' });
  function update() {
    const n = [...control.value].length;
    const over = n > recommended;
    el.textContent = t('counter.text', { count: n, max: recommended });
    el.classList.toggle('is-over', over);
    if (over !== wasOver) warn.textContent = over ? t('counter.over', { max: recommended }) : '';
    wasOver = over;
  }
  control.addEventListener('input', update);
  update();
  return { element: h('div', {}, el, warn), update };
}

function select(options, placeholder) {
  return h('select', {},
    placeholder ? h('option', { value: '' }, placeholder) : null,
    options.map(([value, label]) => h('option', { value }, label)));
}

function localInputValue(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

// Expiry: a few hours, or a moment of one's choosing (between a minute and a week from now).
function expiryFields() {
  const expiry = field({
    label: t('compose.expiry'),
    hint: t('compose.expiryHint'),
    control: select([
      ...EXPIRY_CHOICES_H.map((hours) => [String(hours), t('compose.expiryHours', { count: hours })]),
      ['custom', t('compose.expiryCustom')],
    ]),
  });
  expiry.control.value = String(DEFAULT_EXPIRY_H);
  const custom = field({
    label: t('compose.expiryAt'),
    control: h('input', { type: 'datetime-local', name: 'expires_at' }),
  });
  custom.wrapper.hidden = true;
  expiry.control.addEventListener('change', () => {
    custom.wrapper.hidden = expiry.control.value !== 'custom';
    if (!custom.wrapper.hidden && !custom.control.value) {
      custom.control.value = localInputValue(new Date(Date.now() + DEFAULT_EXPIRY_H * 3600 * 1000));
    }
  });
  function value() {
    if (expiry.control.value !== 'custom') return { expires_in: Number(expiry.control.value) * 3600 };
    const at = new Date(custom.control.value);
    return { expires_at: Number.isNaN(at.getTime()) ? null : at.toISOString() };
  }
  return { expiry, custom, value };
}

// Who receives it: only a municipality allowed to may reach everyone present in the zone.
function audienceChoice(station, onAudience) {
  const error = h('p', { class: 'field-error', id: newId('audience-error'), hidden: true });
  if (!station.may_alert_everyone) {
    const element = h('div', { class: 'field' },
      h('p', { class: 'static-value' }, h('strong', {}, t('compose.audience')), ' ',
        t('audience.followersOf', { station: station.name })));
    return { element, inputs: [], error };
  }
  const name = newId('audience');
  const choices = ['followers', 'everyone'].map((value) => {
    const input = h('input', { type: 'radio', name, value, id: `${name}-${value}`, checked: value === 'followers' });
    input.addEventListener('change', () => onAudience?.());
    return h('div', { class: 'choice' }, input,
      h('label', { for: input.id }, h('strong', {}, t(`audience.${value}`)), h('span', {}, t(`audience.${value}.hint`))));
  });
  const element = h('fieldset', { class: 'field audience-choice', 'aria-describedby': error.id },
    h('legend', {}, t('compose.audience')), choices, error);
  return { element, inputs: choices.map((div) => div.querySelector('input')), error };
}

// The words and the settings, each field with its error line.
function messageFields() {
  const severity = field({
    label: t('compose.severity'),
    hint: t('compose.severityHint'),
    control: select(SEVERITIES.map((s) => [s, t(`severity.${s}`)]), t('compose.choose')),
  });
  const category = field({
    label: t('compose.category'),
    control: select(CATEGORIES.map((c) => [c, t(`category.${c}`)]), t('compose.choose')),
  });
  const title = field({
    label: t('compose.title'),
    hint: t('compose.titleHint', { max: TITLE_RECOMMENDED }),
    control: h('input', { type: 'text', name: 'title', autocomplete: 'off' }),
  });
  title.control.after(counter(title.control, TITLE_RECOMMENDED).element);
  const body = field({
    label: t('compose.body'),
    hint: t('compose.bodyHint', { max: BODY_RECOMMENDED }),
    control: h('textarea', { name: 'body', rows: 5 }),
  });
  body.control.after(counter(body.control, BODY_RECOMMENDED).element);
  return { severity, category, title, body };
}

// The checks a person would make before the server does; returns the fields in error.
function check(v) {
  const errors = [];
  if (!v.severity) errors.push(['severity', t('compose.severityMissing')]);
  if (!v.category) errors.push(['category', t('compose.categoryMissing')]);
  if (!v.title) errors.push(['title', t('compose.titleMissing')]);
  if (!v.body) errors.push(['body', t('compose.bodyMissing')]);
  if ('expires_at' in v) {
    const at = v.expires_at ? new Date(v.expires_at).getTime() - Date.now() : NaN;
    if (!(at >= MIN_LIFETIME_MS && at <= MAX_LIFETIME_MS)) errors.push(['expires_at', t('compose.expiryRange')]);
  }
  return errors;
}

export function createMessageForm({ station, onInput, onAudience }) {
  const { severity, category, title, body } = messageFields();
  const expiry = expiryFields();
  const who = audienceChoice(station, onAudience);
  const fields = { severity, category, title, body, expires_in: expiry.expiry, expires_at: expiry.custom };
  for (const f of Object.values(fields)) {
    f.control.addEventListener('input', () => { f.setError(null); onInput?.(); });
    f.control.addEventListener('change', () => { f.setError(null); onInput?.(); });
  }

  function audience() {
    const checked = who.inputs.find((i) => i.checked);
    return checked ? checked.value : 'followers';
  }

  function values() {
    return {
      title: title.control.value.trim(),
      body: body.control.value.trim(),
      severity: severity.control.value,
      category: category.control.value,
      audience: audience(),
      ...expiry.value(),
    };
  }

  function validate() {
    const errors = check(values());
    for (const [name, message] of errors) fields[name].setError(message);
    return errors;
  }

  // Server errors name the field; those we have a place for are shown beside it.
  function showError(fieldName, message) {
    const key = (fieldName || '').split('.')[0];
    if (fields[key]) {
      fields[key].setError(message);
      return fields[key].control;
    }
    if (key === 'audience' && who.inputs.length) {
      who.error.textContent = message;
      who.error.hidden = false;
      return who.inputs[0];
    }
    return null;
  }

  function clearErrors() {
    for (const f of Object.values(fields)) f.setError(null);
    who.error.hidden = true;
  }

  function expiryLabel() {
    const v = values();
    if ('expires_in' in v) return t('compose.expiryHours', { count: v.expires_in / 3600 });
    return t('compose.expiryUntil', { when: formatDateTime(v.expires_at) });
  }

  // Puts back a draft's words and choices (see draft.js); unknown values are ignored.
  function restore(draft) {
    const set = (f, value) => {
      if (typeof value !== 'string' || !value) return;
      f.control.value = value;
      if (f.control.value !== value) f.control.value = ''; // not one of a select's options
      f.control.dispatchEvent(new Event('input'));
    };
    set(title, draft.title);
    set(body, draft.body);
    set(severity, draft.severity);
    set(category, draft.category);
    if (draft.audience === 'everyone') {
      const input = who.inputs.find((i) => i.value === 'everyone');
      if (input) input.checked = true;
    }
  }

  const element = h('div', { class: 'message-form' },
    severity.wrapper, category.wrapper,
    title.wrapper, body.wrapper,
    expiry.expiry.wrapper, expiry.custom.wrapper,
    who.element);
  return {
    element, values, validate, showError, clearErrors, expiryLabel, audience, restore,
    focus: (name) => fields[name]?.control.focus(),
  };
}
