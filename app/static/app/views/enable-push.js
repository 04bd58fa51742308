// "Turn on notifications": the button (the permission prompt needs a tap), and when push
// cannot work here, what to do about it in plain words.
import { h, clear } from '../../../static/core/dom.js';
import { t } from '../core/i18n.js';
import * as push from '../core/push.js';
import { busy, errorText, notice } from '../core/ui.js';

// Each reason has a title and steps people can follow; the keys are in the dictionaries.
const STEPS = {
  'ios-install': 3,
  'ios-update': 1,
  denied: 2,
  dismissed: 1,
  'no-push': 1,
  'no-worker': 1,
  insecure: 1,
  subscribe: 2,
};

export function problemHelp(reason) {
  const steps = STEPS[reason] || 0;
  const list = steps > 1 ? h('ol', {}, Array.from({ length: steps }, (_, i) => h('li', {}, t(`push.problem.${reason}.step${i + 1}`)))) : null;
  return notice(reason === 'dismissed' ? 'info' : 'warning',
    h('p', { class: 'notice-title' }, t(`push.problem.${reason}.title`)),
    steps === 1 ? h('p', {}, t(`push.problem.${reason}.step1`)) : list);
}

export function enablePushButton({ onEnabled, label = t('push.enable'), fresh = false } = {}) {
  const help = h('div', { class: 'push-help', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'button button-primary button-wide', dataset: { action: 'enable-push' } }, label);
  const why = push.availability();
  if (why !== 'ok' && why !== 'denied') {
    button.hidden = true;
    help.append(problemHelp(why));
  }
  button.addEventListener('click', async () => {
    clear(help);
    try {
      await busy(button, t('push.enabling'), () => push.enable({ fresh }));
      if (onEnabled) await onEnabled();
    } catch (err) {
      help.append(err instanceof push.PushProblem ? problemHelp(err.reason) : notice('error', errorText(err)));
    }
  });
  return h('div', { class: 'enable-push' }, button, help);
}
