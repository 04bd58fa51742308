// Small pieces the pages share: notices, a confirmation dialog, the severity badge, a switch.
import { h } from '../../../static/core/dom.js';
import { SEVERE } from '../../../static/core/vocab.js';
import { t } from './i18n.js';
import { icon } from './icons.js';

export function notice(kind, ...content) {
  const role = kind === 'error' ? 'alert' : null;
  return h('div', { class: `notice notice-${kind}`, role }, ...content);
}

export function severityBadge(severity) {
  const value = severity || 'Unknown';
  return h('span', { class: `badge badge-${value.toLowerCase()}` },
    SEVERE.includes(value) ? icon('warning', 'icon icon-small') : null,
    t(`severity.${value}`));
}

export function pageTitle(text, ...extra) {
  return h('div', { class: 'page-title' }, h('h1', { tabindex: '-1' }, text), ...extra);
}

// An on/off control that says its state out loud: a button with role=switch.
export function toggleSwitch({ label, checked, onToggle }) {
  const state = h('span', { class: 'switch-state', 'aria-hidden': 'true' });
  const button = h('button', { type: 'button', class: 'switch', role: 'switch' },
    h('span', { class: 'switch-label' }, label), h('span', { class: 'switch-track', 'aria-hidden': 'true' }, h('span', { class: 'switch-thumb' })), state);
  const set = (on) => {
    button.setAttribute('aria-checked', on ? 'true' : 'false');
    state.textContent = on ? t('switch.on') : t('switch.off');
  };
  set(checked);
  button.addEventListener('click', () => onToggle(button.getAttribute('aria-checked') !== 'true'));
  return { element: button, set, button };
}

// A modal question with two answers; resolves true for the first.
export function confirmDialog({ title, text, confirm, cancel = t('common.cancel'), danger = false }) {
  return new Promise((resolve) => {
    const heading = h('h2', { id: 'confirm-title' }, title);
    const yes = h('button', { type: 'button', class: `button ${danger ? 'button-danger' : 'button-primary'}`, value: 'yes' }, confirm);
    const no = h('button', { type: 'button', class: 'button button-quiet', value: 'no' }, cancel);
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'confirm-title' },
      heading, h('p', {}, text), h('div', { class: 'dialog-buttons' }, no, yes));
    const done = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    yes.addEventListener('click', () => done(true));
    no.addEventListener('click', () => done(false));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      done(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    no.focus(); // the safe answer first: a stray tap must not erase anything
  });
}

// Runs an action from a button: the button is disabled and says it is working meanwhile.
export async function busy(button, workingLabel, action) {
  const label = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  if (workingLabel) button.textContent = workingLabel;
  try {
    return await action();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    if (workingLabel) button.textContent = label;
  }
}

export function errorText(err) {
  if (err && err.geolocation) return t(`geolocation.error.${err.geolocation}`);
  if (err && err.message && err.status !== undefined) return err.message;
  return t('error.unexpected');
}
