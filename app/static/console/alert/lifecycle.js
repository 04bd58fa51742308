// The box of what can be done with the alert now: approve it, wait for the approval or for the
// scheduled time (and withdraw it), see who approved it; once sent, update or cancel it.
import { h, clear } from '../../core/dom.js';
import { formatDateTime, t } from '../core/i18n.js';
import { approvalCard, scheduledCard, waitingCard } from './approval.js';
import { followUpCard } from './follow-up.js';
import { NOT_SENT } from './states.js';

// `page`: { id, session, station, mayAct, shown, content, refresh } (see pages/alert.js);
// `contentSlot`: where the alert's content stands when no approval box holds it.
export function createLifecycle(page, contentSlot) {
  const element = h('div', { class: 'lifecycle' });
  const timers = [];

  function render(data) {
    timers.splice(0).forEach((stop) => stop());
    clear(element);
    const { content } = page;
    if (content.element.parentNode !== contentSlot) {
      contentSlot.append(content.element);
      content.resize();
    }
    const approval = data.approval || {};
    if (data.state === 'awaiting_approval' && approval.can_approve) {
      element.append(approvalCard(page, data, timers));
      content.resize();
    } else if (data.state === 'awaiting_approval') {
      element.append(waitingCard(page, data, timers));
    } else if (data.state === 'scheduled') {
      element.append(scheduledCard(page, data));
    } else if (approval.approved_by && data.state !== 'withdrawn') {
      element.append(h('p', { class: 'notice notice-success', dataset: { key: 'approved-by' } },
        t('approval.approvedBy', { name: approval.approved_by, when: formatDateTime(approval.approved_at) })));
    }
    if (page.mayAct && !NOT_SENT.has(data.state) && data.msg_type !== 'Cancel' && !data.replaced_by
      && new Date(data.expires_at).getTime() > Date.now()) {
      element.append(followUpCard(page, data));
    }
  }

  return { element, render };
}
