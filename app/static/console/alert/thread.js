// The alert's story: the original, its updates, its cancel, each a link to its page.
import { h, clear } from '../../core/dom.js';
import { formatDateTime, t } from '../core/i18n.js';
import { msgTypeBadge, stateBadge } from '../core/badges.js';
import { alertUrl, fetchAlert } from './states.js';

const MAX_STEPS = 20;

// the messages before (references) or after (replaced_by) this one, oldest first
async function follow(data, link) {
  const found = [];
  let cursor = data;
  for (let i = 0; i < MAX_STEPS && cursor && cursor[link]; i += 1) {
    cursor = await fetchAlert(cursor[link]).catch(() => null);
    if (cursor) found.push(cursor);
  }
  return link === 'references' ? found.reverse() : found;
}

function threadItem(a, current) {
  return h('li', { 'aria-current': a.id === current.id ? 'page' : null, dataset: { alert: a.id, msgType: a.msg_type } },
    msgTypeBadge(a.msg_type), ' ',
    a.id === current.id ? h('span', {}, a.title, ' ', t('lifecycle.thisPage')) : h('a', { href: alertUrl(a.id) }, a.title), ' ',
    stateBadge(a.state), ' ',
    h('span', { class: 'field-hint' }, formatDateTime(a.created_at), a.author ? ` · ${t('lifecycle.by', { name: a.author })}` : ''));
}

export async function renderThread(threadBox, data) {
  if (!data.references && !data.replaced_by) {
    clear(threadBox);
    return;
  }
  const before = await follow(data, 'references');
  const after = await follow(data, 'replaced_by');
  const items = [...before, data, ...after];
  clear(threadBox, h('section', { class: 'card', 'aria-labelledby': 'thread-h' },
    h('h2', { id: 'thread-h' }, t('lifecycle.thread')),
    h('ol', { class: 'thread' }, items.map((a) => threadItem(a, data)))));
}
