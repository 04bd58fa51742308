// Where an alert stands in its story: live or an exercise, current, updated, cancelled or over.
// The lists and the alert pages say it the same way.
import { h } from '../../../static/core/dom.js';
import { t } from '../core/i18n.js';
import { notice } from '../core/ui.js';

export function isExercise(alert) {
  return alert.status === 'exercise' || alert.status === 'test';
}

export function isCancelled(alert) {
  return alert.msg_type === 'Cancel' || alert.state === 'cancelled';
}

export function isReplaced(alert) {
  return alert.state === 'replaced';
}

// Still in force: not cancelled, not replaced by an update, not expired.
export function isActive(alert) {
  if (isCancelled(alert) || isReplaced(alert) || alert.active === false) return false;
  return !alert.expires || Date.parse(alert.expires) > Date.now();
}

// 'active', 'cancelled', 'replaced' or 'ended'
export function storyState(alert) {
  if (isCancelled(alert)) return 'cancelled';
  if (isReplaced(alert)) return 'replaced';
  return isActive(alert) ? 'active' : 'ended';
}

export function exerciseBadge(alert) {
  if (!isExercise(alert)) return null;
  return h('span', { class: 'badge badge-exercise', dataset: { status: alert.status } },
    t(alert.status === 'test' ? 'story.test' : 'story.exercise'));
}

export function stateBadges(alert) {
  const state = storyState(alert);
  return [
    exerciseBadge(alert),
    alert.msg_type === 'Update' && state === 'active' ? h('span', { class: 'badge badge-update' }, t('story.update')) : null,
    h('span', { class: `badge badge-${state}`, dataset: { state } }, t(`story.state.${state}`)),
  ];
}

// What the top of an alert's page says besides the message itself; `link(id)` is where another
// message of the story is read (the app's screen or the public page).
export function storyNotices(alert, link) {
  const state = storyState(alert);
  const out = [];
  if (isExercise(alert)) {
    out.push(notice('warning', h('p', { class: 'notice-title' }, t(alert.status === 'test' ? 'story.testTitle' : 'story.exerciseTitle')),
      h('p', {}, t('story.exerciseText'))));
  }
  if (state === 'cancelled') {
    out.push(h('div', { class: 'notice notice-cancelled', role: 'status', dataset: { story: 'cancelled' } },
      h('p', { class: 'notice-title' }, t('story.cancelledTitle')),
      h('p', {}, t(alert.msg_type === 'Cancel' ? 'story.cancelText' : 'story.cancelledText')),
      alert.replaced_by ? h('p', {}, h('a', { href: link(alert.replaced_by), class: 'story-link' }, t('story.readCancel'))) : null));
  } else if (state === 'replaced') {
    out.push(h('div', { class: 'notice notice-info', role: 'status', dataset: { story: 'replaced' } },
      h('p', { class: 'notice-title' }, t('story.replacedTitle')),
      h('p', {}, t('story.replacedText')),
      alert.replaced_by ? h('p', {}, h('a', { href: link(alert.replaced_by), class: 'button button-primary story-link' }, t('story.readUpdate'))) : null));
  }
  return out;
}
