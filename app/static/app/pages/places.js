// Home, work, school: tap the map (or find the commune first), check, save. Alerts from the
// stations followed reach this phone when one of these places is in the zone.
import { h, clear, announce, debounce } from '../../../static/core/dom.js';
import { PLACE_KINDS } from '../../../static/core/vocab.js';
import { t } from '../core/i18n.js';
import { api } from '../core/api.js';
import * as device from '../core/device.js';
import { locateOnce } from '../core/nearby.js';
import { boundsOf, createMap, placeMarker } from '../core/map.js';
import { busy, confirmDialog, errorText, notice, pageTitle } from '../core/ui.js';

const MAX_PLACES = 10;
const round = (x) => Math.round(x * 1e5) / 1e5; // about 1 m: the server rounds to 100 m anyway

// What the screen's parts share: the kind chosen, the point tapped and not saved yet, the map
// once it is there ({L, map}), the markers, and where messages are said.
function screenState() {
  const message = h('div', { 'aria-live': 'polite' });
  return {
    message,
    say: (kind, text) => clear(message, notice(kind, text)),
    kind: device.current().places.some((p) => p.kind === 'home') ? 'work' : 'home',
    pending: null, // {lat, lon} tapped, not saved yet
    pendingMarker: null,
    markers: [],
    leaflet: null,
  };
}

function kindChoice(s) {
  const fieldset = h('fieldset', { class: 'kind-choice' },
    h('legend', {}, t('places.which')),
    h('div', { class: 'chips' }, PLACE_KINDS.map((k) => h('label', { class: 'chip' },
      h('input', { type: 'radio', name: 'kind', value: k, checked: k === s.kind }), h('span', {}, t(`place.kind.${k}`))))));
  fieldset.addEventListener('change', (event) => {
    s.kind = event.target.value;
    if (s.pending) showPending(s, s.pending);
  });
  return fieldset;
}

// over the bottom of the map, so that the finger that tapped finds it without scrolling
function confirmBar(s) {
  s.saveButton = h('button', { type: 'button', class: 'button button-primary', dataset: { action: 'save-place' } });
  const cancelButton = h('button', { type: 'button', class: 'button button-quiet' }, t('common.cancel'));
  s.confirmBar = h('div', { class: 'confirm-bar', hidden: true, role: 'group', 'aria-label': t('places.confirmLabel') },
    h('p', { class: 'visually-hidden', 'aria-live': 'polite' }), cancelButton, s.saveButton);
  s.saveButton.addEventListener('click', () => busy(s.saveButton, t('common.saving'), () => savePending(s)));
  cancelButton.addEventListener('click', () => clearPending(s));
  return s.confirmBar;
}

function showPending(s, point) {
  s.pending = point;
  s.saveButton.textContent = t('places.saveAs', { kind: t(`place.kind.${s.kind}`) });
  s.confirmBar.querySelector('p').textContent = t('places.pendingText');
  s.confirmBar.hidden = false;
  if (s.leaflet) {
    const { L, map } = s.leaflet;
    if (s.pendingMarker) map.removeLayer(s.pendingMarker);
    s.pendingMarker = placeMarker(L, { ...point, kind: s.kind }).addTo(map);
    s.pendingMarker.getElement()?.classList.add('is-pending');
  }
  s.confirmBar.scrollIntoView({ block: 'nearest' });
}

function clearPending(s) {
  s.pending = null;
  s.confirmBar.hidden = true;
  if (s.pendingMarker && s.leaflet) s.leaflet.map.removeLayer(s.pendingMarker);
  s.pendingMarker = null;
}

async function savePending(s) {
  if (!s.pending) return;
  const { kind } = s;
  const { places } = device.current();
  // one home, one work, one school; "other" places add up
  const kept = kind === 'other' ? places : places.filter((p) => p.kind !== kind);
  if (kept.length >= MAX_PLACES) {
    s.say('warning', t('places.tooMany', { max: MAX_PLACES }));
    return;
  }
  try {
    await device.setPlaces([...kept, { kind, lat: round(s.pending.lat), lon: round(s.pending.lon) }]);
    const saved = t(`place.kind.${kind}`);
    clearPending(s);
    s.say('success', device.current().device ? t('places.saved', { kind: saved }) : t('places.savedLocal', { kind: saved }));
  } catch (err) {
    s.say('error', errorText(err));
  }
}

function savedItem(s, place, index) {
  const remove = h('button', { type: 'button', class: 'button button-quiet button-small' }, t('places.remove'));
  remove.setAttribute('aria-label', t('places.removeLabel', { kind: t(`place.kind.${place.kind}`) }));
  remove.addEventListener('click', async () => {
    const sure = await confirmDialog({ title: t('places.removeTitle', { kind: t(`place.kind.${place.kind}`) }), text: t('places.removeText'), confirm: t('places.remove') });
    if (!sure) return;
    try {
      await device.setPlaces(device.current().places.filter((_, i) => i !== index));
      announce(t('places.removed'));
    } catch (err) {
      s.say('error', errorText(err));
    }
  });
  const show = h('button', { type: 'button', class: 'button button-quiet button-small' }, t('places.show'));
  show.addEventListener('click', () => s.leaflet && s.leaflet.map.setView([place.lat, place.lon], 16));
  return h('li', { class: 'place-item', dataset: { kind: place.kind } },
    h('span', { class: 'place-name' }, t(`place.kind.${place.kind}`)), h('span', { class: 'place-actions' }, show, remove));
}

function paintSaved(s, savedList) {
  const { places } = device.current();
  if (s.leaflet) {
    s.markers.forEach((m) => s.leaflet.map.removeLayer(m));
    s.markers = places.map((p) => placeMarker(s.leaflet.L, p).addTo(s.leaflet.map));
  }
  clear(savedList);
  if (!places.length) {
    savedList.append(h('li', { class: 'empty' }, t('places.none')));
    return;
  }
  places.forEach((place, index) => savedList.append(savedItem(s, place, index)));
}

function hereButton(s) {
  const button = h('button', { type: 'button', class: 'button button-secondary' }, t('places.useHere'));
  button.addEventListener('click', () => busy(button, t('stations.locating'), async () => {
    try {
      const here = await locateOnce();
      if (s.leaflet) s.leaflet.map.setView([here.lat, here.lon], 16);
      showPending(s, here);
    } catch (err) {
      s.say('error', errorText(err));
    }
  }));
  return button;
}

// for a keyboard, a screen reader or an unsteady finger: move the map, then take its centre
function centreButton(s) {
  const button = h('button', { type: 'button', class: 'button button-quiet' }, t('places.useCentre'));
  button.addEventListener('click', () => {
    if (!s.leaflet) return;
    const centre = s.leaflet.map.getCenter();
    showPending(s, { lat: centre.lat, lon: centre.lng });
    s.saveButton.focus();
  });
  return button;
}

function communeButton(s, c, { input, results }) {
  const go = h('button', { type: 'button', class: 'button button-quiet commune-button' }, c.code ? `${c.name} (${c.code})` : c.name);
  go.addEventListener('click', () => {
    clear(results);
    input.value = c.name;
    if (s.leaflet) {
      const bounds = boundsOf(c.bbox);
      if (bounds) s.leaflet.map.fitBounds(bounds);
      else s.leaflet.map.setView([c.center[1], c.center[0]], 14);
      s.leaflet.map.getContainer().focus();
    }
    announce(t('places.communeShown', { name: c.name }));
  });
  return h('li', {}, go);
}

// find a commune, then tap in it
function communeSearch(s) {
  const input = h('input', { type: 'search', id: 'commune-search', autocomplete: 'off', enterkeyhint: 'search' });
  const results = h('ul', { class: 'commune-results' });
  const find = debounce(async () => {
    const q = input.value.trim();
    clear(results);
    if (q.length < 2) return;
    try {
      const { communes } = await api('GET', `/api/v1/communes?q=${encodeURIComponent(q)}`);
      if (!communes.length) results.append(h('li', { class: 'empty' }, t('places.noCommune')));
      for (const c of communes.slice(0, 6)) results.append(communeButton(s, c, { input, results }));
    } catch (err) {
      s.say('error', errorText(err));
    }
  }, 300);
  input.addEventListener('input', find);
  const element = h('div', { class: 'field' }, h('label', { for: 'commune-search' }, t('places.communeLabel')), input, results);
  return { element, cancel: find.cancel };
}

export async function render(main) {
  const s = screenState();
  const kindRadios = kindChoice(s);
  const mapBox = h('div', { class: 'map map-places', id: 'places-map' }, h('p', { class: 'map-loading' }, t('map.loading')));
  const bar = confirmBar(s);
  const savedList = h('ul', { class: 'place-list' });
  const here = hereButton(s);
  const centre = centreButton(s);
  const commune = communeSearch(s);
  main.append(pageTitle(t('places.title')),
    h('p', { class: 'lead' }, t('places.intro')),
    notice('info', h('p', {}, t('places.privacy'))),
    h('section', { class: 'card', 'aria-labelledby': 'add-title' },
      h('h2', { id: 'add-title' }, t('places.add')),
      kindRadios,
      commune.element,
      h('p', { class: 'field-hint', id: 'map-hint' }, t('places.tapHint')),
      h('div', { class: 'map-wrap' }, mapBox, bar),
      h('div', { class: 'place-buttons' }, here, centre), s.message),
    h('section', { class: 'card', 'aria-labelledby': 'saved-title' },
      h('h2', { id: 'saved-title' }, t('places.savedTitle')), savedList));
  paintSaved(s, savedList);

  try {
    s.leaflet = await createMap(mapBox, { label: t('places.mapLabel') });
    const { map } = s.leaflet;
    map.getContainer().setAttribute('aria-describedby', 'map-hint');
    map.on('click', (event) => showPending(s, { lat: event.latlng.lat, lon: event.latlng.lng }));
    paintSaved(s, savedList);
    await centreMap(map);
  } catch (err) {
    console.warn(err);
    mapBox.replaceWith(notice('warning', t('map.failed')));
  }
  const stop = device.onChange(() => paintSaved(s, savedList));
  return () => {
    stop();
    commune.cancel();
    if (s.leaflet) s.leaflet.map.remove();
  };
}

// Saved places first, then the first followed commune, otherwise France.
async function centreMap(map) {
  const { places, follows } = device.current();
  if (places.length) {
    map.fitBounds(places.map((p) => [p.lat, p.lon]), { maxZoom: 15, padding: [40, 40] });
    return;
  }
  for (const f of follows) {
    try {
      const { station } = await api('GET', `/api/v1/stations/${encodeURIComponent(f.slug)}/posts`);
      const bounds = boundsOf(station.bbox);
      if (bounds) {
        map.fitBounds(bounds);
        return;
      }
    } catch {
      // offline or gone: try the next one
    }
  }
}
