// The live reach of the alert being prepared: asks the API whenever the zone or the audience
// changes (debounced; a newer answer always replaces an older one, a stale one is dropped).
import { api, ApiError } from '../core/api.js';
import { h, clear, debounce } from '../../core/dom.js';
import { formatCount, languageName, t } from '../core/i18n.js';
import { CHANNELS } from '../../core/vocab.js';

const DEBOUNCE_MS = 250;

// Preview needs a whole alert; its texts do not change who is reached, so fixed ones are sent
// and a long title being typed can never hide the count.

export function createAudience({ slug, onZoneError }) {
  const total = h('p', { class: 'reach-total', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const details = h('div', { class: 'reach-details' });
  const element = h('div', { class: 'reach', 'aria-busy': 'false' }, total, details);
  let seq = 0;
  let controller = null;
  let reach = null;

  function show(text, state) {
    total.textContent = text;
    element.dataset.state = state;
  }

  function breakdown(title, entries) {
    return h('div', { class: 'reach-group' },
      h('h3', {}, title),
      h('ul', {}, entries.map(([label, value, key]) => h('li', { dataset: { key } },
        h('span', { class: 'reach-label' }, label), ' ', h('span', { class: 'reach-count' }, formatCount(value))))));
  }

  function render(result, status) {
    const n = result.devices;
    const test = status !== 'actual';
    if (test) show(n === '<10' ? t('reach.testFewerThan10') : t('reach.testTotal', { count: n }), 'ready');
    else show(n === '<10' ? t('reach.fewerThan10') : t('reach.total', { count: n }), 'ready');
    element.dataset.mode = status;
    total.dataset.count = String(n);
    const byChannel = result.by_channel || {};
    const channels = CHANNELS.filter((c) => c in byChannel).map((c) => [t(`channel.${c}`), byChannel[c], c]);
    const byLocale = result.by_locale || {};
    const locales = Object.keys(byLocale).sort().map((l) => [languageName(l), byLocale[l], l]);
    clear(details,
      channels.length ? breakdown(t('reach.byChannel'), channels) : null,
      locales.length ? breakdown(t('reach.byLanguage'), locales) : null);
  }

  async function fetchReach(current, mine) {
    controller?.abort();
    controller = new AbortController();
    element.setAttribute('aria-busy', 'true');
    try {
      const body = { audience: current.audience };
      if (current.zone) body.zone = current.zone;
      // an exercise or a test reaches the station's test devices only: the server counts those
      if (current.status) body.status = current.status;
      const result = await api('POST', `/api/v1/stations/${encodeURIComponent(slug)}/alerts/preview`, body, { signal: controller.signal });
      if (mine !== seq) return;
      reach = result;
      onZoneError(null);
      render(result, current.status || 'actual');
    } catch (err) {
      if (err.name === 'AbortError' || mine !== seq) return;
      reach = null;
      clear(details);
      if (err instanceof ApiError && err.field && err.field.startsWith('zone')) {
        onZoneError(err.message);
        show(t('reach.zoneRefused'), 'error');
      } else {
        show(err instanceof ApiError ? t('reach.failed', { message: err.message }) : t('error.unexpected'), 'error');
      }
    } finally {
      if (mine === seq) element.setAttribute('aria-busy', 'false');
    }
  }

  const later = debounce((current, mine) => fetchReach(current, mine), DEBOUNCE_MS);

  // current: {zone, audience, status} to count, or null when there is nothing to count yet
  function update(current, emptyMessage) {
    seq += 1;
    reach = null;
    later.cancel();
    controller?.abort();
    delete total.dataset.count;
    if (!current) {
      show(emptyMessage, 'empty');
      clear(details);
      element.setAttribute('aria-busy', 'false');
      return;
    }
    show(t('reach.counting'), 'counting');
    later(current, seq);
  }

  // Resolves once the count in progress (if any) has an answer, or after `ms`.
  function settled(ms = 3000) {
    const deadline = Date.now() + ms;
    return new Promise((resolve) => {
      const check = () => {
        if (element.dataset.state !== 'counting' || Date.now() > deadline) resolve(reach);
        else setTimeout(check, 100);
      };
      check();
    });
  }

  return { element, update, settled, reach: () => reach };
}
