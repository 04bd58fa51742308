// An alert inside the app: what the phone kept when it was pushed (so it opens offline),
// completed by the server's public page data (the zone) when the network answers.
import { h } from '../../../static/core/dom.js';
import { t } from '../core/i18n.js';
import { api } from '../core/api.js';
import { icon } from '../core/icons.js';
import { errorText, notice, pageTitle } from '../core/ui.js';
import { alertView } from '../views/alert-view.js';

const store = globalThis.tocsinStore;

export async function render(main, [id]) {
  main.append(h('a', { class: 'back-link', href: '#/' }, icon('back', 'icon icon-small'), t('alert.back')));
  const kept = await store.getAlert(id);
  let alert = kept;
  let failure = null;
  try {
    const fresh = await api('GET', `/api/v1/alerts/${encodeURIComponent(id)}/public`);
    alert = { ...(kept || {}), ...fresh };
    if (kept) await store.putAlert(fresh);
  } catch (err) {
    failure = err;
  }
  if (!alert) {
    main.append(pageTitle(t('alert.notFound')), notice('error', failure && failure.status === 404 ? t('alert.notFoundText') : errorText(failure)));
    return null;
  }
  const view = alertView(alert, { link: (other) => `#/alert/${encodeURIComponent(other)}` });
  if (failure && failure.offline) main.append(notice('info', h('p', {}, t('alert.offlineCopy'))));
  main.append(view.element,
    h('p', {}, h('a', { href: `/alerts/${encodeURIComponent(alert.id)}`, class: 'share-link' }, t('alert.publicPage'))));
  const map = await view.drawMap();
  return () => { if (map) map.remove(); };
}
