// Find what to follow: the stations where I am (geolocation) or a commune by name; and the
// list of what I already follow.
import { h, clear, debounce } from '../../../static/core/dom.js';
import { t } from '../core/i18n.js';
import { api } from '../core/api.js';
import * as device from '../core/device.js';
import { locateOnce } from '../core/nearby.js';
import { busy, errorText, notice, pageTitle } from '../core/ui.js';
import { followButton } from '../views/follow-button.js';

function stationItem(station, onError) {
  const href = `#/stations/${encodeURIComponent(station.slug)}`;
  return h('li', { class: 'station-item', dataset: { station: station.slug } },
    h('div', { class: 'station-text' },
      h('a', { class: 'station-name', href }, station.name),
      h('span', { class: 'station-kind' }, t(`kind.${station.kind}`))),
    followButton(station, { onError }));
}

export async function render(main) {
  const message = h('div', { 'aria-live': 'polite' });
  const showError = (text) => clear(message, notice('error', text));
  const followedBox = h('section', { class: 'card', 'aria-labelledby': 'followed-title' });
  const results = h('div', { class: 'results', 'aria-live': 'polite' });
  let controller = null;

  function paintFollowed() {
    const { follows } = device.current();
    clear(followedBox, h('h2', { id: 'followed-title' }, t('stations.followed')));
    // nothing followed yet: finding comes first, an empty list would only push it down
    followedBox.hidden = !follows.length;
    followedBox.append(h('ul', { class: 'station-list' },
      follows.map((f) => stationItem({ slug: f.slug, name: f.name || f.slug, kind: f.kind || 'municipality' }, showError))));
  }

  function showResults(stations, emptyText) {
    clear(results);
    if (!stations.length) {
      results.append(h('p', { class: 'empty' }, emptyText));
      return;
    }
    results.append(h('ul', { class: 'station-list' }, stations.map((s) => stationItem(s, showError))));
  }

  async function search(query) {
    if (controller) controller.abort();
    clear(message);
    if (query.trim().length < 2) {
      clear(results);
      return;
    }
    controller = new AbortController();
    try {
      const { stations } = await api('GET', `/api/v1/stations?q=${encodeURIComponent(query.trim())}`, undefined, { signal: controller.signal });
      showResults(stations, t('stations.noMatch', { query: query.trim() }));
    } catch (err) {
      if (err.name !== 'AbortError') showError(errorText(err));
    }
  }

  const input = h('input', { type: 'search', id: 'station-search', name: 'q', autocomplete: 'off', enterkeyhint: 'search', 'aria-describedby': 'station-search-hint' });
  const typed = debounce(() => search(input.value), 300);
  input.addEventListener('input', typed);
  const form = h('form', { class: 'search-form', role: 'search' },
    h('label', { for: 'station-search' }, t('stations.searchLabel')),
    h('p', { class: 'field-hint', id: 'station-search-hint' }, t('stations.searchHint')),
    h('div', { class: 'search-row' }, input, h('button', { type: 'submit', class: 'button button-secondary' }, t('stations.search'))));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    typed.cancel();
    search(input.value);
  });

  const nearButton = h('button', { type: 'button', class: 'button button-primary button-wide', dataset: { action: 'near-me' } }, t('stations.nearMe'));
  nearButton.addEventListener('click', () => busy(nearButton, t('stations.locating'), async () => {
    clear(message);
    try {
      const here = await locateOnce();
      const { stations } = await api('GET', `/api/v1/stations?lat=${here.lat.toFixed(5)}&lon=${here.lon.toFixed(5)}`);
      input.value = '';
      showResults(stations, t('stations.noneNear'));
    } catch (err) {
      showError(errorText(err));
    }
  }));

  main.append(pageTitle(t('stations.title')),
    h('p', { class: 'lead' }, t('stations.intro')),
    followedBox,
    h('section', { class: 'card', 'aria-labelledby': 'find-title' },
      h('h2', { id: 'find-title' }, t('stations.find')),
      nearButton,
      h('p', { class: 'or' }, t('common.or')),
      form, message, results));
  paintFollowed();
  const stop = device.onChange(paintFollowed);
  return () => {
    stop();
    typed.cancel();
    if (controller) controller.abort();
  };
}
