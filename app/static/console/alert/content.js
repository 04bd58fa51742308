// The alert's words in each language, its zone on a map, its mode: what an approver approves.
import { h } from '../../core/dom.js';
import { languageName, t } from '../core/i18n.js';
import { errorBox } from '../core/layout.js';
import { describeZone } from '../compose/describe.js';
import { loadLeaflet } from '../map/loader.js';
import { showZone } from '../map/zone-view.js';
import { textsOf } from './states.js';

export function contentSection(alert, session) {
  const mapElement = h('div', { class: 'zone-view', id: 'zone-view' });
  const element = h('section', { class: 'card alert-content', 'aria-labelledby': 'content-h' },
    h('h2', { id: 'content-h' }, t('content.title')),
    textsOf(alert).map(([code, text]) => h('div', { class: 'text-block', lang: code, dataset: { lang: code } },
      h('h3', {}, languageName(code)),
      h('p', { class: 'notif-title' }, text.title),
      h('p', { class: 'text-body' }, text.body))),
    h('h3', {}, t('content.zone')),
    h('p', { dataset: { key: 'zone' } }, alert.zone ? describeZone(alert.zone) : t('content.noZone')),
    alert.zone ? mapElement : null);
  let map = null;
  async function start() {
    if (!alert.zone) return;
    try {
      const L = await loadLeaflet();
      map = showZone(L, mapElement, alert.zone, {
        tileUrl: session.map && session.map.tile_url,
        attribution: session.map && session.map.attribution,
        label: t('content.mapLabel'),
      });
      window.tocsinZoneMap = map;
    } catch (err) {
      console.error(err);
      mapElement.replaceChildren(errorBox(t('map.failed')));
    }
  }
  // after the element moved (into or out of the approval box) the map measures itself again
  const resize = () => setTimeout(() => map?.invalidateSize(), 0);
  return { element, start, resize };
}
