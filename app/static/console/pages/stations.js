// The operator's stations; with only one, straight to its map.
import { loadSession } from '../core/api.js';
import { h } from '../../core/dom.js';
import { t } from '../core/i18n.js';
import { renderFrame, pageHeading } from '../core/layout.js';

export async function render() {
  const session = await loadSession();
  const stations = session.stations || [];
  if (stations.length === 1) {
    location.replace(`/console/stations/${encodeURIComponent(stations[0].slug)}`);
    return;
  }
  const main = renderFrame({ session, title: t('stations.title') });
  main.append(pageHeading(t('stations.title')));
  if (!stations.length) {
    main.append(h('p', { class: 'notice' }, t('stations.none')));
    return;
  }
  main.append(h('ul', { class: 'station-list' }, stations.map((s) => h('li', { class: 'card' },
    h('a', { class: 'station-link', href: `/console/stations/${encodeURIComponent(s.slug)}` },
      h('span', { class: 'station-link-name' }, s.name),
      h('span', { class: 'station-link-meta' },
        `${t(`kind.${s.kind}`)} · ${(s.roles || []).map((r) => t(`role.${r}`)).join(', ')}`))))));
}
