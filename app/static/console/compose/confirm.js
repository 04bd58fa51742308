// The last look before sending: zone, reach, severity and text restated in a modal dialog.
// Resolves once the operator cancels; onConfirm runs the send while the dialog stays open, so
// a second press cannot send twice.
import { h } from '../core/dom.js';
import { t } from '../core/i18n.js';

// status: 'actual' | 'exercise' | 'test' (its band and, in words, `modeLede`); messages: the
// texts exactly as they will be sent, [{lang, title, body}] (default: title and body).
export function confirmSend({
  rows, title, body, severity, onConfirm, status = 'actual', modeLede = null, messages = null,
  heading = null, sendLabel = null,
}) {
  const sendText = sendLabel || t('confirm.send');
  const cancel = h('button', { type: 'button', class: 'button', value: 'cancel' }, t('confirm.cancel'));
  const send = h('button', {
    type: 'button', class: 'button button-danger', dataset: { action: 'confirm-send', mode: status },
  }, sendText);
  const error = h('div', { class: 'notice notice-error', role: 'alert', hidden: true });
  const dialog = h('dialog', { class: 'confirm-dialog', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-lede' },
    h('div', { class: `mode-band mode-${status}`, dataset: { mode: status } }, t(`mode.band.${status}`)),
    h('h2', { id: 'confirm-title' }, heading || t('confirm.title')),
    h('div', { id: 'confirm-lede' },
      modeLede ? h('p', { class: 'lede confirm-lede-mode', dataset: { key: 'mode-lede' } }, modeLede) : null,
      h('p', { class: 'lede' }, t('confirm.lede'))),
    h('div', { class: `severity-banner severity-${severity}` }, t(`severity.${severity}`)),
    h('dl', { class: 'summary' }, rows.map(([label, value, key]) => [
      h('dt', {}, label), h('dd', { dataset: { key } }, value)])),
    (messages || [{ title, body }]).map((m) => h('blockquote', { class: 'confirm-message', lang: m.lang || null, dataset: { lang: m.lang || '' } },
      h('p', { class: 'notif-title' }, m.title), h('p', {}, m.body))),
    error,
    h('div', { class: 'dialog-actions' }, cancel, send));
  document.body.append(dialog);

  return new Promise((resolve) => {
    const close = () => {
      dialog.close();
      dialog.remove();
      resolve();
    };
    cancel.addEventListener('click', close);
    dialog.addEventListener('cancel', (event) => {
      if (send.disabled) event.preventDefault(); // sending: Escape must not hide what happens
      else {
        event.preventDefault();
        close();
      }
    });
    send.addEventListener('click', async () => {
      send.disabled = true;
      cancel.disabled = true;
      send.textContent = t('confirm.sending');
      error.hidden = true;
      const failure = await onConfirm();
      if (failure === undefined || failure === null) return; // on its way to the live view
      send.disabled = false;
      cancel.disabled = false;
      send.textContent = sendText;
      if (failure.closeDialog) {
        close();
      } else {
        error.textContent = failure.message;
        error.hidden = false;
      }
    });
    dialog.showModal();
    cancel.focus();
  });
}
