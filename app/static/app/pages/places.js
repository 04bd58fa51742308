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

export async function render(main) {
  const message = h('div', { 'aria-live': 'polite' });
  const say = (kind, text) => clear(message, notice(kind, text));
  let kind = device.current().places.some((p) => p.kind === 'home') ? 'work' : 'home';
  let pending = null; // {lat, lon} tapped, not saved yet
  let pendingMarker = null;
  let markers = [];
  let leaflet = null;

  const kindRadios = h('fieldset', { class: 'kind-choice' },
    h('legend', {}, t('places.which')),
    h('div', { class: 'chips' }, PLACE_KINDS.map((k) => h('label', { class: 'chip' },
      h('input', { type: 'radio', name: 'kind', value: k, checked: k === kind }), h('span', {}, t(`place.kind.${k}`))))));
  kindRadios.addEventListener('change', (event) => {
    kind = event.target.value;
    if (pending) showPending(pending);
  });

  const mapBox = h('div', { class: 'map map-places', id: 'places-map' }, h('p', { class: 'map-loading' }, t('map.loading')));
  const saveButton = h('button', { type: 'button', class: 'button button-primary', dataset: { action: 'save-place' } });
  const cancelButton = h('button', { type: 'button', class: 'button button-quiet' }, t('common.cancel'));
  // over the bottom of the map, so that the finger that tapped finds it without scrolling
  const confirmBar = h('div', { class: 'confirm-bar', hidden: true, role: 'group', 'aria-label': t('places.confirmLabel') },
    h('p', { class: 'visually-hidden', 'aria-live': 'polite' }), cancelButton, saveButton);
  const savedList = h('ul', { class: 'place-list' });

  function showPending(point) {
    pending = point;
    saveButton.textContent = t('places.saveAs', { kind: t(`place.kind.${kind}`) });
    confirmBar.querySelector('p').textContent = t('places.pendingText');
    confirmBar.hidden = false;
    if (leaflet) {
      const { L, map } = leaflet;
      if (pendingMarker) map.removeLayer(pendingMarker);
      pendingMarker = placeMarker(L, { ...point, kind }).addTo(map);
      pendingMarker.getElement()?.classList.add('is-pending');
    }
    confirmBar.scrollIntoView({ block: 'nearest' });
  }

  function clearPending() {
    pending = null;
    confirmBar.hidden = true;
    if (pendingMarker && leaflet) leaflet.map.removeLayer(pendingMarker);
    pendingMarker = null;
  }

  function paintSaved() {
    const { places } = device.current();
    if (leaflet) {
      markers.forEach((m) => leaflet.map.removeLayer(m));
      markers = places.map((p) => placeMarker(leaflet.L, p).addTo(leaflet.map));
    }
    clear(savedList);
    if (!places.length) {
      savedList.append(h('li', { class: 'empty' }, t('places.none')));
      return;
    }
    places.forEach((place, index) => {
      const remove = h('button', { type: 'button', class: 'button button-quiet button-small' }, t('places.remove'));
      remove.setAttribute('aria-label', t('places.removeLabel', { kind: t(`place.kind.${place.kind}`) }));
      remove.addEventListener('click', async () => {
        const sure = await confirmDialog({ title: t('places.removeTitle', { kind: t(`place.kind.${place.kind}`) }), text: t('places.removeText'), confirm: t('places.remove') });
        if (!sure) return;
        try {
          await device.setPlaces(device.current().places.filter((_, i) => i !== index));
          announce(t('places.removed'));
        } catch (err) {
          say('error', errorText(err));
        }
      });
      const show = h('button', { type: 'button', class: 'button button-quiet button-small' }, t('places.show'));
      show.addEventListener('click', () => leaflet && leaflet.map.setView([place.lat, place.lon], 16));
      savedList.append(h('li', { class: 'place-item', dataset: { kind: place.kind } },
        h('span', { class: 'place-name' }, t(`place.kind.${place.kind}`)), h('span', { class: 'place-actions' }, show, remove)));
    });
  }

  saveButton.addEventListener('click', () => busy(saveButton, t('common.saving'), async () => {
    if (!pending) return;
    const { places } = device.current();
    // one home, one work, one school; "other" places add up
    const kept = kind === 'other' ? places : places.filter((p) => p.kind !== kind);
    if (kept.length >= MAX_PLACES) {
      say('warning', t('places.tooMany', { max: MAX_PLACES }));
      return;
    }
    try {
      await device.setPlaces([...kept, { kind, lat: round(pending.lat), lon: round(pending.lon) }]);
      const saved = t(`place.kind.${kind}`);
      clearPending();
      say('success', device.current().device ? t('places.saved', { kind: saved }) : t('places.savedLocal', { kind: saved }));
    } catch (err) {
      say('error', errorText(err));
    }
  }));
  cancelButton.addEventListener('click', clearPending);

  const hereButton = h('button', { type: 'button', class: 'button button-secondary' }, t('places.useHere'));
  hereButton.addEventListener('click', () => busy(hereButton, t('stations.locating'), async () => {
    try {
      const here = await locateOnce();
      if (leaflet) leaflet.map.setView([here.lat, here.lon], 16);
      showPending(here);
    } catch (err) {
      say('error', errorText(err));
    }
  }));

  // for a keyboard, a screen reader or an unsteady finger: move the map, then take its centre
  const centreButton = h('button', { type: 'button', class: 'button button-quiet' }, t('places.useCentre'));
  centreButton.addEventListener('click', () => {
    if (!leaflet) return;
    const centre = leaflet.map.getCenter();
    showPending({ lat: centre.lat, lon: centre.lng });
    saveButton.focus();
  });

  // find a commune, then tap in it
  const communeInput = h('input', { type: 'search', id: 'commune-search', autocomplete: 'off', enterkeyhint: 'search' });
  const communeResults = h('ul', { class: 'commune-results' });
  const findCommune = debounce(async () => {
    const q = communeInput.value.trim();
    clear(communeResults);
    if (q.length < 2) return;
    try {
      const { communes } = await api('GET', `/api/v1/communes?q=${encodeURIComponent(q)}`);
      if (!communes.length) communeResults.append(h('li', { class: 'empty' }, t('places.noCommune')));
      for (const c of communes.slice(0, 6)) {
        const go = h('button', { type: 'button', class: 'button button-quiet commune-button' }, c.code ? `${c.name} (${c.code})` : c.name);
        go.addEventListener('click', () => {
          clear(communeResults);
          communeInput.value = c.name;
          if (leaflet) {
            const bounds = boundsOf(c.bbox);
            if (bounds) leaflet.map.fitBounds(bounds);
            else leaflet.map.setView([c.center[1], c.center[0]], 14);
            leaflet.map.getContainer().focus();
          }
          announce(t('places.communeShown', { name: c.name }));
        });
        communeResults.append(h('li', {}, go));
      }
    } catch (err) {
      say('error', errorText(err));
    }
  }, 300);
  communeInput.addEventListener('input', findCommune);

  main.append(pageTitle(t('places.title')),
    h('p', { class: 'lead' }, t('places.intro')),
    notice('info', h('p', {}, t('places.privacy'))),
    h('section', { class: 'card', 'aria-labelledby': 'add-title' },
      h('h2', { id: 'add-title' }, t('places.add')),
      kindRadios,
      h('div', { class: 'field' }, h('label', { for: 'commune-search' }, t('places.communeLabel')), communeInput, communeResults),
      h('p', { class: 'field-hint', id: 'map-hint' }, t('places.tapHint')),
      h('div', { class: 'map-wrap' }, mapBox, confirmBar),
      h('div', { class: 'place-buttons' }, hereButton, centreButton), message),
    h('section', { class: 'card', 'aria-labelledby': 'saved-title' },
      h('h2', { id: 'saved-title' }, t('places.savedTitle')), savedList));
  paintSaved();

  try {
    leaflet = await createMap(mapBox, { label: t('places.mapLabel') });
    const { map } = leaflet;
    map.getContainer().setAttribute('aria-describedby', 'map-hint');
    map.on('click', (event) => showPending({ lat: event.latlng.lat, lon: event.latlng.lng }));
    paintSaved();
    await centreMap(map);
  } catch (err) {
    console.warn(err);
    mapBox.replaceWith(notice('warning', t('map.failed')));
  }
  const stop = device.onChange(paintSaved);
  return () => {
    stop();
    findCommune.cancel();
    if (leaflet) leaflet.map.remove();
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
