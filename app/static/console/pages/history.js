// A station's alerts, newest first, with their state and how many devices got them.
import { api, loadSession } from '../core/api.js';
import { h, clear } from '../../core/dom.js';
import { formatCount, formatDateTime, t } from '../core/i18n.js';
import { renderFrame, pageHeading, errorBox } from '../core/layout.js';
import { msgTypeBadge, severityBadge, stateBadge, statusBadge } from '../core/badges.js';

const REFRESH_MS = 5000;

export async function render(ctx) {
  const session = await loadSession();
  const slug = ctx.station;
  const station = await api('GET', `/api/v1/stations/${encodeURIComponent(slug)}`);
  const main = renderFrame({ session, station, active: 'history', title: t('history.title') });
  const body = h('tbody');
  const table = h('table', { class: 'table history' },
    h('caption', { class: 'visually-hidden' }, t('history.caption', { station: station.name })),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('history.date')),
      h('th', { scope: 'col' }, t('history.alert')),
      h('th', { scope: 'col' }, t('history.kind')),
      h('th', { scope: 'col' }, t('history.severity')),
      h('th', { scope: 'col' }, t('history.audience')),
      h('th', { scope: 'col' }, t('history.state')),
      h('th', { scope: 'col', class: 'num' }, t('history.sent')))),
    body);
  const empty = h('p', { class: 'notice', hidden: true }, t('history.empty'));
  const awaiting = h('p', { class: 'notice notice-warning', role: 'status', hidden: true });
  const problem = h('div');
  main.append(pageHeading(t('history.title'),
    h('a', { class: 'button button-primary', href: `/console/stations/${encodeURIComponent(slug)}` }, t('history.new'))),
  problem, awaiting, empty, h('div', { class: 'table-scroll' }, table));

  async function refresh() {
    let data;
    try {
      data = await api('GET', `/api/v1/stations/${encodeURIComponent(slug)}/alerts`);
      clear(problem);
    } catch (err) {
      clear(problem, errorBox(err.message || t('error.unexpected')));
      setTimeout(refresh, REFRESH_MS);
      return;
    }
    // those waiting for a second operator first: someone has to act on them now
    const alerts = (data.alerts || []).slice().sort((a, b) => (b.state === 'awaiting_approval') - (a.state === 'awaiting_approval'));
    const waiting = alerts.filter((a) => a.state === 'awaiting_approval').length;
    awaiting.hidden = waiting === 0;
    awaiting.textContent = t('history.awaiting', { count: waiting });
    empty.hidden = alerts.length > 0;
    table.hidden = alerts.length === 0;
    clear(body, alerts.map((a) => {
      const d = a.deliveries || {};
      const sent = (d.by_status || {}).sent ?? 0;
      return h('tr', { dataset: { alert: a.id, state: a.state, status: a.status || 'actual' } },
        h('td', {}, formatDateTime(a.created_at),
          a.send_at && a.state === 'scheduled' ? h('div', { class: 'field-hint' }, t('history.scheduledFor', { when: formatDateTime(a.send_at) })) : null),
        h('td', {}, h('a', { href: `/console/alerts/${encodeURIComponent(a.id)}` }, a.title)),
        h('td', {}, statusBadge(a.status || 'actual'),
          a.msg_type && a.msg_type !== 'Alert' ? [' ', msgTypeBadge(a.msg_type)] : null),
        h('td', {}, severityBadge(a.severity)),
        h('td', {}, a.status && a.status !== 'actual' ? t('history.testDevices') : t(`audience.short.${a.audience || 'followers'}`)),
        h('td', {}, stateBadge(a.state)),
        h('td', { class: 'num' }, t('history.sentOf', { sent: formatCount(sent), total: formatCount(d.total ?? 0) })));
    }));
    // keep the table live while something is still being sent
    if (alerts.some((a) => ['pending', 'sending', 'awaiting_approval', 'scheduled'].includes(a.state))) setTimeout(refresh, REFRESH_MS);
  }
  await refresh();
}
