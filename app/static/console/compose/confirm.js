// The last look before sending: zone, reach, severity and text restated in a modal dialog.
// Resolves once the operator cancels; onConfirm runs the send while the dialog stays open, so
// a second press cannot send twice.
import { actionDialog } from '../core/dialog.js';
import { h } from '../../core/dom.js';
import { t } from '../core/i18n.js';

// status: 'actual' | 'exercise' | 'test' (its band and, in words, `modeLede`); messages: the
// texts exactly as they will be sent, [{lang, title, body}] (default: title and body).
export function confirmSend({
  rows, title, body, severity, onConfirm, status = 'actual', modeLede = null, messages = null,
  heading = null, sendLabel = null,
}) {
  return new Promise((resolve) => {
    actionDialog({
      labelledBy: 'confirm-title',
      describedBy: 'confirm-lede',
      content: [
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
      ],
      backLabel: t('confirm.cancel'),
      actLabel: sendLabel || t('confirm.send'),
      actData: { action: 'confirm-send', mode: status },
      onAct: onConfirm,
      onClose: resolve,
    });
  });
}
