// The imports' small maps, drawn when their card comes into view (a long list draws few).
import { t } from '../core/i18n.js';
import { errorBox } from '../core/layout.js';
import { loadLeaflet } from '../map/loader.js';
import { showZone } from '../map/zone-view.js';

export function createLazyMaps(session) {
  const pending = new Map();
  const observer = 'IntersectionObserver' in window ? new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) draw(entry.target);
    }
  }, { rootMargin: '200px' }) : null;

  async function draw(element) {
    const zone = pending.get(element);
    if (!zone) return;
    pending.delete(element);
    observer?.unobserve(element);
    try {
      const L = await loadLeaflet();
      showZone(L, element, zone, {
        tileUrl: session.map && session.map.tile_url,
        attribution: session.map && session.map.attribution,
        label: t('cap.mapLabel'),
      });
    } catch (err) {
      console.error(err);
      element.replaceChildren(errorBox(t('map.failed')));
    }
  }

  return {
    // the zone is drawn in `element` once it is on screen
    add(element, zone) {
      pending.set(element, zone);
      if (observer) observer.observe(element);
      else setTimeout(() => draw(element), 0);
    },
    // before the list is drawn again
    forget() {
      for (const element of pending.keys()) observer?.unobserve(element);
      pending.clear();
    },
  };
}
