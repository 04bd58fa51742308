// CAP alerts received from other systems (a prefecture, Météo-France…), uploaded here or read
// from the station's feed: those waiting for a decision first, each with its words, its area on a
// small map, and the two decisions — rebroadcast through the station (after a confirmation
// naming the station and who it will reach) or refuse. The parts are in ../cap/.
import { api, ApiError, loadSession } from '../core/api.js';
import { h, clear, announce } from '../../core/dom.js';
import { t } from '../core/i18n.js';
import { renderFrame, pageHeading, errorBox } from '../core/layout.js';
import { canSend } from '../../core/vocab.js';
import { importCard } from '../cap/card.js';
import { createLazyMaps } from '../cap/maps.js';
import { uploadForm } from '../cap/upload.js';

export async function render(ctx) {
  const session = await loadSession();
  const slug = ctx.station;
  const station = await api('GET', `/api/v1/stations/${encodeURIComponent(slug)}`);
  const main = renderFrame({ session, station, active: 'cap', title: t('cap.title') });
  const problem = h('div');
  const waitingLine = h('p', { class: 'notice notice-warning', role: 'status', hidden: true });
  const empty = h('p', { class: 'notice', hidden: true }, t('cap.empty'));
  const list = h('div', { class: 'cap-list' });
  // what the parts of the page share (see ../cap/)
  const page = {
    station,
    mayDecide: canSend(station.roles),
    listUrl: `/api/v1/stations/${encodeURIComponent(slug)}/cap-imports`,
    known: new Set(),
    outcome: h('div', { tabindex: '-1' }),
    maps: createLazyMaps(session),
  };
  const upload = uploadForm(page);
  page.showOutcome = (element) => {
    upload.hideDone();
    clear(page.outcome, element);
    page.outcome.focus();
    announce(element.textContent);
  };
  page.refresh = async () => {
    let data;
    try {
      data = await api('GET', page.listUrl);
      clear(problem);
    } catch (err) {
      clear(problem, errorBox(err instanceof ApiError ? err.message : t('error.unexpected')));
      return;
    }
    const items = data.imports || [];
    page.known = new Set(items.map((i) => i.id));
    // those waiting for a decision first (stable sort: newest first within each group)
    const sorted = items.slice().sort((a, b) => (b.state === 'received') - (a.state === 'received'));
    const waiting = items.filter((i) => i.state === 'received').length;
    waitingLine.hidden = waiting === 0;
    waitingLine.textContent = t('cap.waiting', { count: waiting });
    empty.hidden = items.length > 0;
    page.maps.forget();
    clear(list, sorted.map((item) => importCard(page, item)));
  };
  main.append(pageHeading(t('cap.title')),
    h('p', { class: 'lede' }, t('cap.intro')),
    problem, page.outcome, page.mayDecide ? upload.element : h('p', { class: 'notice' }, t('cap.readOnly')),
    h('h2', {}, t('cap.listTitle')), waitingLine, empty, list);
  await page.refresh();
}
