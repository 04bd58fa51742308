// The two decisions on a received CAP alert: rebroadcast it through the station (after a
// confirmation naming the station and who it will reach) or refuse it.
// `page`: { station, showOutcome, refresh } (see pages/cap.js).
import { ApiError, api } from '../core/api.js';
import { actionDialog } from '../core/dialog.js';
import { h } from '../../core/dom.js';
import { formatDateTime, t } from '../core/i18n.js';
import { SEVERE, SEVERITIES } from '../../core/vocab.js';
import { modeBand } from '../compose/mode.js';
import { describeZone } from '../compose/describe.js';
import { alertUrl } from '../alert/states.js';
import { MODES, audienceChoices, headlineOf, reachText } from './words.js';

function confirmRows(station, item, reach) {
  return h('dl', { class: 'summary' },
    h('dt', {}, t('confirm.station')), h('dd', { dataset: { key: 'station' } }, station.name),
    h('dt', {}, t('confirm.reach')), h('dd', { dataset: { key: 'reach' } }, reach),
    h('dt', {}, t('confirm.zone')), h('dd', {}, item.zone ? describeZone(item.zone) : t('cap.noZone')),
    h('dt', {}, t('confirm.severity')), h('dd', {}, t(`severity.${SEVERITIES.includes(item.severity) ? item.severity : 'Unknown'}`)),
    h('dt', {}, t('cap.expires')), h('dd', {}, item.expires ? formatDateTime(item.expires) : t('cap.noExpiry')));
}

function accepted(item, answer, needsApproval) {
  return h('div', { class: 'notice notice-success', role: 'status', dataset: { key: 'accepted' } },
    h('p', {}, t('cap.accepted', { headline: headlineOf(item) })),
    needsApproval ? h('p', {}, t('cap.acceptedApproval')) : null,
    h('p', {}, h('a', { href: alertUrl(answer.alert_id), class: 'button button-primary' }, t('cap.openAlert'))));
}

function confirmAccept(page, item, audience, opener) {
  const { station } = page;
  const mode = MODES[item.status] || 'actual';
  const reach = reachText(station, item, audience);
  const needsApproval = station.kind === 'municipality' && mode === 'actual' && SEVERE.includes(item.severity);
  const { dialog } = actionDialog({
    labelledBy: 'cap-confirm-title',
    content: [
      modeBand(mode),
      h('h2', { id: 'cap-confirm-title' }, t('cap.confirm.title')),
      h('p', { class: 'lede', dataset: { key: 'lede' } }, t('cap.confirm.lede', { station: station.name, reach })),
      h('div', { class: 'confirm-message' }, h('p', { class: 'notif-title' }, headlineOf(item))),
      confirmRows(station, item, reach),
      needsApproval ? h('p', { class: 'notice notice-warning' }, t('cap.confirm.approval')) : null,
    ],
    backLabel: t('cap.confirm.back'),
    actLabel: t('cap.confirm.send'),
    actData: { action: 'confirm-accept' },
    onClose: () => opener.focus(),
    onAct: async () => {
      try {
        const body = audienceChoices(station, item) ? { audience } : undefined;
        const answer = await api('POST', `/api/v1/cap-imports/${encodeURIComponent(item.id)}/accept`, body);
        dialog.close();
        dialog.remove();
        page.showOutcome(accepted(item, answer, needsApproval));
        await page.refresh();
        return null;
      } catch (err) {
        // 409 expired or refused earlier, 422 a Cancel or a zone outside the commune: the server's words
        return { message: err instanceof ApiError ? err.message : t('error.unexpected') };
      }
    },
  });
}

async function reject(page, item, button, error) {
  if (!window.confirm(t('cap.rejectConfirm', { headline: headlineOf(item) }))) return;
  button.disabled = true;
  error.hidden = true;
  try {
    await api('POST', `/api/v1/cap-imports/${encodeURIComponent(item.id)}/reject`);
    page.showOutcome(h('p', { class: 'notice', role: 'status', dataset: { key: 'rejected' } }, t('cap.rejected', { headline: headlineOf(item) })));
    await page.refresh();
  } catch (err) {
    error.textContent = err instanceof ApiError ? err.message : t('error.unexpected');
    error.hidden = false;
    button.disabled = false;
  }
}

// everyone in the area, or the station's followers in it
function audienceFieldset(item, initial, onChoose) {
  const name = `audience-${item.id}`;
  return h('fieldset', { class: 'field cap-audience' },
    h('legend', {}, t('cap.audience')),
    ['everyone', 'followers'].map((value) => {
      const input = h('input', { type: 'radio', name, value, id: `${name}-${value}`, checked: value === initial });
      input.addEventListener('change', () => { if (input.checked) onChoose(value); });
      return h('div', { class: 'choice' }, input,
        h('label', { for: input.id }, h('strong', {}, t(`audience.${value}`)), h('span', {}, t(`audience.${value}.hint`))));
    }));
}

export function decisionBox(page, item) {
  const { station } = page;
  const error = h('div', { class: 'notice notice-error', role: 'alert', hidden: true });
  let audience = item.zone && station.kind === 'municipality' ? 'everyone' : 'followers';
  const choices = audienceChoices(station, item) ? audienceFieldset(item, audience, (value) => { audience = value; }) : null;
  const accept = h('button', { type: 'button', class: 'button button-danger', dataset: { action: 'accept' } }, t('cap.accept'));
  const refuse = h('button', { type: 'button', class: 'button', dataset: { action: 'reject' } }, t('cap.reject'));
  accept.addEventListener('click', () => confirmAccept(page, item, audience, accept));
  refuse.addEventListener('click', () => reject(page, item, refuse, error));
  return h('div', { class: 'cap-decision' }, choices,
    choices ? null : h('p', { class: 'field-hint', dataset: { key: 'reach' } }, t('cap.reachIs', { reach: reachText(station, item, audience) })),
    h('p', { class: 'actions' }, accept, refuse), error);
}
