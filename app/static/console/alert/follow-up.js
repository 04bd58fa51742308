// Once an alert went out: its update (new words, new severity, the same story) or its cancel
// (a pre-written text: sent by mistake, or the danger is over), each confirmed before it goes.
// `page`: { id, station, … } (see pages/alert.js).
import { api, ApiError, newIdempotencyKey } from '../core/api.js';
import { actionDialog } from '../core/dialog.js';
import { h, clear, field } from '../../core/dom.js';
import { languageName, t } from '../core/i18n.js';
import { CANCEL_REASONS, SEVERITIES } from '../../core/vocab.js';
import { modeBand } from '../compose/mode.js';
import { frameText, frameWord } from '../compose/frame.js';
import { confirmSend } from '../compose/confirm.js';
import { alertUrl, textsOf } from './states.js';

// The words as written, without the exercise framing the server added (for an update's form).
function unframed(status, language, text) {
  const word = frameWord(status, language);
  if (!word) return { ...text };
  let body = text.body;
  if (body.startsWith(`${word}\n`)) body = body.slice(word.length + 1);
  if (body.endsWith(`\n${word}`)) body = body.slice(0, -(word.length + 1));
  return { title: text.title.replace(`${word} – `, ''), body };
}

export function followUpCard(page, data) {
  const updateButton = h('button', { type: 'button', class: 'button', dataset: { action: 'update' } }, t('lifecycle.update'));
  const cancelButton = h('button', { type: 'button', class: 'button button-danger', dataset: { action: 'cancel' } }, t('lifecycle.cancel'));
  const formBox = h('div');
  updateButton.addEventListener('click', () => {
    clear(formBox, updateForm(page, data, () => { clear(formBox); updateButton.focus(); }));
    formBox.querySelector('input, textarea, select')?.focus();
  });
  cancelButton.addEventListener('click', () => cancelDialog(page, data));
  return h('section', { class: 'card', dataset: { key: 'follow-up' } },
    h('h2', {}, t('lifecycle.title')),
    h('p', { class: 'field-hint' }, t('lifecycle.intro')),
    h('p', { class: 'actions' }, updateButton, cancelButton),
    formBox);
}

// a title and a body per language of the alert, filled with its words
function textFields(data) {
  const texts = textsOf(data);
  return texts.map(([code, text]) => {
    const words = unframed(data.status, code, text);
    const suffix = texts.length > 1 ? ` (${languageName(code)})` : '';
    const title = field({ label: `${t('compose.title')}${suffix}`, control: h('input', { type: 'text', name: `update-title-${code}`, value: words.title, lang: code }) });
    const body = field({ label: `${t('compose.body')}${suffix}`, control: h('textarea', { name: `update-body-${code}`, rows: 4, lang: code }) });
    body.control.value = words.body;
    return { code, title, body };
  });
}

// the first empty field, each one marked
function firstMissing(languages) {
  let missing = null;
  for (const l of languages) {
    for (const [f, key] of [[l.title, 'compose.titleMissing'], [l.body, 'compose.bodyMissing']]) {
      f.setError(f.control.value.trim() ? null : t(key));
      if (!f.control.value.trim() && !missing) missing = f.control;
    }
  }
  return missing;
}

function updateForm(page, data, close) {
  const severity = field({
    label: t('compose.severity'),
    control: h('select', {}, SEVERITIES.map((s) => h('option', { value: s, selected: s === data.severity }, t(`severity.${s}`)))),
  });
  const languages = textFields(data);
  const error = h('div', { class: 'notice notice-error', role: 'alert', hidden: true });
  const review = h('button', { type: 'submit', class: 'button button-danger', dataset: { mode: data.status } }, t('lifecycle.updateReview'));
  const closeButton = h('button', { type: 'button', class: 'button button-quiet' }, t('lifecycle.close'));
  closeButton.addEventListener('click', close);
  const form = h('form', { class: 'inline-form update-form', novalidate: true },
    h('h3', {}, t('lifecycle.updateTitle')),
    h('p', { class: 'field-hint' }, t('lifecycle.updateIntro')),
    severity.wrapper,
    languages.map((l) => [l.title.wrapper, l.body.wrapper]),
    error,
    h('p', { class: 'actions' }, review, closeButton));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    const missing = firstMissing(languages);
    if (missing) {
      missing.focus();
      return;
    }
    const texts = Object.fromEntries(languages.map((l) => [l.code, { title: l.title.control.value.trim(), body: l.body.control.value.trim() }]));
    await confirmUpdate(page, data, { texts, severity: severity.control.value, error });
  });
  return form;
}

// The same confirmation as a new alert's, with the words as phones will show them.
function confirmUpdate(page, data, { texts, severity, error }) {
  const status = data.status || 'actual';
  const messages = Object.keys(texts).map((code) => ({ lang: code, ...frameText(data.status, code, texts[code]) }));
  const key = newIdempotencyKey();
  return confirmSend({
    rows: [
      [t('confirm.mode'), t(`mode.${status}`), 'mode'],
      [t('confirm.station'), page.station ? page.station.name : data.station, 'station'],
      [t('confirm.severity'), t(`severity.${severity}`), 'severity'],
    ],
    title: messages[0].title, body: messages[0].body, severity, status,
    messages, heading: t('lifecycle.updateConfirm'), sendLabel: t('lifecycle.updateSend'),
    onConfirm: async () => {
      try {
        const sent = await api('POST', `/api/v1/alerts/${encodeURIComponent(page.id)}/update`,
          { texts, severity }, { headers: { 'Idempotency-Key': key } });
        location.assign(alertUrl(sent.id));
        return null;
      } catch (err) {
        if (!(err instanceof ApiError)) return { message: t('error.unexpected') };
        if (err.status === 409) {
          error.textContent = err.message;
          error.hidden = false;
          return { closeDialog: true };
        }
        return { message: err.message };
      }
    },
  });
}

function reasonChoices(data, onChoose) {
  const texts = (data.cancel_texts || {});
  const lang = data.language || 'fr';
  const name = 'cancel-reason';
  return CANCEL_REASONS.map((r) => {
    const text = (texts[r] || {})[lang] || Object.values(texts[r] || {})[0] || { title: '', body: '' };
    const input = h('input', { type: 'radio', name, value: r, id: `${name}-${r}` });
    input.addEventListener('change', () => onChoose(r));
    return h('div', { class: 'choice', dataset: { reason: r } }, input,
      h('label', { for: input.id },
        h('strong', {}, t(`lifecycle.reason.${r}`)),
        h('span', { class: 'notif-title' }, text.title),
        h('span', { class: 'cancel-body' }, text.body)));
  });
}

function cancelDialog(page, data) {
  let reason = null;
  let act = null;
  const choices = reasonChoices(data, (r) => {
    reason = r;
    act.disabled = false;
  });
  const key = newIdempotencyKey();
  act = actionDialog({
    labelledBy: 'cancel-title',
    content: [
      modeBand(data.status || 'actual'),
      h('h2', { id: 'cancel-title' }, t('lifecycle.cancelTitle')),
      h('p', { class: 'lede' }, t('lifecycle.cancelIntro')),
      h('fieldset', { class: 'field cancel-choices' }, h('legend', { class: 'visually-hidden' }, t('lifecycle.cancelTitle')), choices),
    ],
    backLabel: t('lifecycle.cancelBack'),
    actLabel: t('lifecycle.cancelSend'),
    actData: { action: 'confirm-cancel' },
    onAct: async () => {
      try {
        const sent = await api('POST', `/api/v1/alerts/${encodeURIComponent(page.id)}/cancel`, { reason },
          { headers: { 'Idempotency-Key': key } });
        location.assign(alertUrl(sent.id));
        return null;
      } catch (err) {
        return { message: err instanceof ApiError ? err.message : t('error.unexpected') };
      }
    },
  }).act;
  act.disabled = true; // until a reason is chosen
}
