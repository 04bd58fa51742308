// "Send later": an optional date and time at which the server releases the alert by itself.
import { h, field, newId } from '../../core/dom.js';
import { formatDateTime, t } from '../core/i18n.js';

const MIN_AHEAD_MS = 60 * 1000;
const MAX_AHEAD_MS = 60 * 24 * 3600 * 1000;

export function createSchedule({ onInput }) {
  const toggleId = newId('schedule');
  const toggle = h('input', { type: 'checkbox', id: toggleId, name: 'schedule' });
  const at = field({
    label: t('schedule.at'),
    hint: t('schedule.hint'),
    control: h('input', { type: 'datetime-local', name: 'send_at' }),
  });
  at.wrapper.hidden = true;
  const element = h('div', { class: 'schedule' },
    h('div', { class: 'choice' }, toggle, h('label', { for: toggleId }, h('strong', {}, t('schedule.toggle')))),
    at.wrapper);

  toggle.addEventListener('change', () => {
    at.wrapper.hidden = !toggle.checked;
    at.setError(null);
    if (toggle.checked) at.control.focus();
    onInput?.();
  });
  at.control.addEventListener('input', () => { at.setError(null); onInput?.(); });

  // ISO time, or null to send now
  function value() {
    if (!toggle.checked) return null;
    const d = new Date(at.control.value);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }

  function validate() {
    const v = value();
    if (v === null) return [];
    const ahead = v ? new Date(v).getTime() - Date.now() : NaN;
    if (!(ahead >= MIN_AHEAD_MS && ahead <= MAX_AHEAD_MS)) {
      at.setError(t('schedule.range'));
      return [['send_at', t('schedule.range')]];
    }
    return [];
  }

  return {
    element, value, validate,
    label: () => (value() ? t('schedule.on', { when: formatDateTime(value()) }) : t('schedule.now')),
    showError: (fieldName, message) => {
      if (fieldName !== 'send_at') return null;
      at.setError(message);
      return at.control;
    },
    focus: () => at.control.focus(),
  };
}
