// The small labels the history, the alert page and the CAP page put on an alert.
import { h } from '../../core/dom.js';
import { t } from './i18n.js';

export function severityBadge(severity) {
  return h('span', { class: `badge severity-${severity}` }, t(`severity.short.${severity}`));
}

export function stateBadge(state) {
  return h('span', { class: `badge state-${state}`, dataset: { state } }, t(`state.${state}`));
}

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}`, dataset: { status } }, t(`mode.short.${status || 'actual'}`));
}

export function msgTypeBadge(msgType) {
  return h('span', { class: `badge msg-${msgType}`, dataset: { msgType } }, t(`msg.${msgType || 'Alert'}`));
}
