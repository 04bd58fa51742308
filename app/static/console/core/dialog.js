// A modal dialog that runs one action (send, cancel an alert, rebroadcast a CAP import).
// Back or Escape close it, except while the action runs: a second press cannot act twice, and
// Escape must not hide what happens. onAct resolves to nothing when the action went on (a new
// page, or the caller's own outcome), to { message } to show the server's words and let the
// operator try again, or to { closeDialog: true } to close it.
import { h } from '../../core/dom.js';
import { t } from './i18n.js';

export function actionDialog({
  labelledBy, describedBy = null, content, backLabel, actLabel, actData = {}, onAct, onClose = () => {},
}) {
  const back = h('button', { type: 'button', class: 'button', value: 'cancel' }, backLabel);
  const act = h('button', { type: 'button', class: 'button button-danger', dataset: actData }, actLabel);
  const error = h('div', { class: 'notice notice-error', role: 'alert', hidden: true });
  const dialog = h('dialog', { class: 'confirm-dialog', 'aria-labelledby': labelledBy, 'aria-describedby': describedBy },
    content, error, h('div', { class: 'dialog-actions' }, back, act));
  document.body.append(dialog);
  let busy = false;
  const close = () => {
    dialog.close();
    dialog.remove();
    onClose();
  };
  const setBusy = (on) => {
    busy = on;
    act.disabled = on;
    back.disabled = on;
    act.classList.toggle('is-sending', on);
    act.textContent = on ? t('confirm.sending') : actLabel;
  };
  back.addEventListener('click', close);
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    if (!busy) close();
  });
  act.addEventListener('click', async () => {
    setBusy(true);
    error.hidden = true;
    const failure = await onAct();
    if (failure === undefined || failure === null) return;
    setBusy(false);
    if (failure.closeDialog) {
      close();
    } else {
      error.textContent = failure.message;
      error.hidden = false;
    }
  });
  dialog.showModal();
  back.focus();
  return { act, dialog, close };
}
