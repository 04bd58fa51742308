// One station: follow it, choose what to receive from it, and read what it posted lately.
import { h, clear, announce } from '../../../static/core/dom.js';
import { CATEGORIES } from '../../../static/core/vocab.js';
import { t } from '../core/i18n.js';
import { api, ApiError } from '../core/api.js';
import * as device from '../core/device.js';
import { icon } from '../core/icons.js';
import { errorText, notice, pageTitle } from '../core/ui.js';
import { followButton } from '../views/follow-button.js';
import { alertCard } from '../views/alert-card.js';

function categoryChoices(station, message) {
  // in the vocabulary's order, the one people think in: the dangers first, "other" (local news) last
  const offered = CATEGORIES.filter((c) => (station.categories || CATEGORIES).includes(c));
  const box = h('section', { class: 'card', 'aria-labelledby': 'categories-title', dataset: { part: 'categories' } });
  let openChoices = false;

  function paint() {
    const follow = device.followOf(station.slug);
    clear(box);
    if (!follow) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    const chosen = new Set(follow.categories || offered);
    const boxes = offered.map((category) => {
      const input = h('input', { type: 'checkbox', name: 'category', value: category, id: `cat-${category}`, checked: chosen.has(category) });
      return h('li', {}, input, h('label', { for: `cat-${category}` }, t(`category.${category}`)));
    });
    const fieldset = h('fieldset', { class: 'choices' },
      h('legend', { class: 'visually-hidden' }, t('categories.title', { station: station.name })),
      h('p', { class: 'field-hint' }, t('categories.hint')),
      h('ul', { class: 'checkbox-list' }, boxes));
    const status = h('span', { class: 'summary-status' });
    const showStatus = (count) => {
      status.textContent = count === offered.length ? t('categories.all') : t('categories.some', { count, total: offered.length });
    };
    showStatus(chosen.size);
    // folded: most people keep everything, and the station's messages come right below
    const details = h('details', { class: 'categories', open: openChoices },
      h('summary', { id: 'categories-title' }, h('span', {}, t('categories.title', { station: station.name })), status),
      fieldset);
    details.addEventListener('toggle', () => { openChoices = details.open; });
    fieldset.addEventListener('change', async (event) => {
      const picked = [...fieldset.querySelectorAll('input:checked')].map((i) => i.value);
      showStatus(Math.max(picked.length, 1));
      if (!picked.length) {
        event.target.checked = true;
        clear(message, notice('warning', t('categories.atLeastOne')));
        return;
      }
      clear(message);
      fieldset.disabled = true;
      try {
        // every category chosen is "everything", so that categories added later come too
        await device.follow(station, picked.length === offered.length ? null : picked);
        announce(t('categories.saved'));
      } catch (err) {
        clear(message, notice('error', errorText(err)));
        paint();
      } finally {
        fieldset.disabled = false;
      }
    });
    box.append(details);
  }
  paint();
  return { element: box, paint };
}

export async function render(main, [slug]) {
  const back = h('a', { class: 'back-link', href: '#/stations' }, icon('back', 'icon icon-small'), t('station.back'));
  main.append(back);
  let answer;
  try {
    answer = await api('GET', `/api/v1/stations/${encodeURIComponent(slug)}/posts`);
  } catch (err) {
    main.append(pageTitle(t('station.notFound')),
      notice('error', err instanceof ApiError && err.status === 404 ? t('station.notFoundText') : errorText(err)));
    return null;
  }
  const { station, posts } = answer;
  const message = h('div', { 'aria-live': 'polite' });
  const choices = categoryChoices(station, message);
  const followBox = h('div', { class: 'follow-row' },
    followButton(station, { onChange: () => choices.paint(), onError: (text) => clear(message, notice('error', text)) }));
  main.append(pageTitle(station.name),
    h('p', { class: 'station-kind' }, t(`kind.${station.kind}`)),
    followBox, message, choices.element,
    h('section', { 'aria-labelledby': 'posts-title' },
      h('h2', { id: 'posts-title' }, t('station.posts')),
      posts.length
        ? h('ul', { class: 'alert-list' }, posts.map((p) => alertCard({ ...p, station: p.station || { slug: station.slug, name: station.name } })))
        : h('p', { class: 'empty' }, t('station.noPosts'))));
  return null;
}
