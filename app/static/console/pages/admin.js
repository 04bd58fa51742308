// Station administration: operators and invitations, child stations, saved zones, templates.
import { api, ApiError, loadSession } from '../core/api.js';
import { h, clear, field, announce } from '../../core/dom.js';
import { t } from '../core/i18n.js';
import { renderFrame, pageHeading, errorBox } from '../core/layout.js';
import { ROLES } from '../../core/vocab.js';
import { describeZone } from '../compose/describe.js';
import { unwrapZone } from '../map/geometry.js';
import { templatesSection } from '../templates.js';

const base = (slug) => `/api/v1/stations/${encodeURIComponent(slug)}`;

function section(id, title, ...content) {
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...content);
}

// Applies a server error to the form field it names, or to the form's own error box.
function showApiError(err, fields, box) {
  const message = err instanceof ApiError ? err.message : t('error.unexpected');
  const target = err instanceof ApiError && err.field ? fields[err.field.split('.')[0]] : null;
  if (target) {
    target.setError(message);
    target.control.focus();
  } else {
    box.textContent = message;
    box.hidden = false;
  }
}

async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // clipboard API refused (plain http, old browser): select it so Ctrl+C works
    input.focus();
    input.select();
    return document.execCommand && document.execCommand('copy');
  }
}

function operatorsSection(slug) {
  const list = h('tbody');
  const listError = h('div');
  const name = field({ label: t('admin.operatorName'), control: h('input', { type: 'text', autocomplete: 'off' }) });
  const email = field({ label: t('admin.operatorEmail'), control: h('input', { type: 'email', autocomplete: 'off', spellcheck: 'false' }) });
  const role = field({
    label: t('admin.operatorRole'),
    hint: t('admin.roleHint'),
    control: h('select', {}, ROLES.map((r) => h('option', { value: r, selected: r === 'publisher' }, t(`role.${r}`)))),
  });
  const formError = h('div', { class: 'notice notice-error', role: 'alert', hidden: true });
  const result = h('div', { class: 'invitation-result', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, t('admin.invite'));
  const form = h('form', { class: 'stack', novalidate: true },
    h('h3', {}, t('admin.inviteTitle')), formError, name.wrapper, email.wrapper, role.wrapper, submit);
  const fields = { name, email, role };

  async function load() {
    try {
      const data = await api('GET', `${base(slug)}/operators`);
      clear(listError);
      clear(list, (data.operators || []).map((o) => h('tr', {},
        h('td', {}, o.name), h('td', {}, o.email),
        h('td', {}, (o.roles || []).map((r) => t(`role.${r}`)).join(', ')),
        h('td', {}, o.active ? t('admin.active') : t('admin.inactive')))));
    } catch (err) {
      clear(listError, errorBox(err.message));
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formError.hidden = true;
    Object.values(fields).forEach((f) => f.setError(null));
    const body = { name: name.control.value.trim(), email: email.control.value.trim(), role: role.control.value };
    if (!body.name) name.setError(t('admin.nameMissing'));
    if (!body.email) email.setError(t('admin.emailMissing'));
    if (!body.name || !body.email) {
      (body.name ? email : name).control.focus();
      return;
    }
    submit.disabled = true;
    try {
      const created = await api('POST', `${base(slug)}/operators`, body);
      name.control.value = '';
      email.control.value = '';
      load();
      if (!created.invitation_url) {
        clear(result, h('div', { class: 'notice notice-success' }, t('admin.alreadyHasAccount', { name: body.name })));
        return;
      }
      const url = new URL(created.invitation_url, location.origin).href;
      const input = h('input', { type: 'text', readonly: true, value: url, class: 'invitation-url', id: 'invitation-url' });
      const copied = h('span', { class: 'field-hint', role: 'status' });
      const copy = h('button', { type: 'button', class: 'button' }, t('admin.copy'));
      copy.addEventListener('click', async () => {
        copied.textContent = (await copyText(url, input)) ? t('admin.copied') : t('admin.copyManually');
      });
      clear(result, h('div', { class: 'notice notice-success' },
        h('p', {}, h('strong', {}, t('admin.invited', { name: body.name }))),
        h('p', {}, t('admin.invitationOnce')),
        h('label', { for: 'invitation-url' }, t('admin.invitationLink')),
        h('div', { class: 'copy-row' }, input, copy), copied));
      input.focus();
      input.select();
    } catch (err) {
      showApiError(err, fields, formError);
    } finally {
      submit.disabled = false;
    }
  });

  load();
  return section('operators-h', t('admin.operators'),
    listError,
    h('div', { class: 'table-scroll' }, h('table', { class: 'table' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('admin.operatorName')), h('th', { scope: 'col' }, t('admin.operatorEmail')),
        h('th', { scope: 'col' }, t('admin.roles')), h('th', { scope: 'col' }, t('admin.status')))),
      list)),
    form, result);
}

function childStationsSection(slug, session) {
  const known = (session.stations || []).filter((s) => s.parent === slug);
  const list = h('ul', { class: 'plain-list' });
  const render = () => clear(list, known.length
    ? known.map((s) => h('li', {}, `${s.name} (${t(`kind.${s.kind}`)}, ${s.slug})`))
    : h('li', {}, t('admin.noChildren')));
  render();
  const name = field({ label: t('admin.childName'), control: h('input', { type: 'text', autocomplete: 'off' }) });
  const childSlug = field({
    label: t('admin.childSlug'),
    hint: t('admin.childSlugHint'),
    control: h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', pattern: '[a-z0-9][a-z0-9-]{1,62}' }),
  });
  const kind = field({
    label: t('admin.childKind'),
    control: h('select', {}, ['association', 'institution'].map((k) => h('option', { value: k }, t(`kind.${k}`)))),
  });
  // a name typed first suggests its slug, until the slug is edited by hand
  let slugTouched = false;
  childSlug.control.addEventListener('input', () => { slugTouched = true; });
  name.control.addEventListener('input', () => {
    if (slugTouched) return;
    childSlug.control.value = name.control.value.normalize('NFD').replace(/[\u0300-\u036f]/g, '')
      .toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
  });
  const formError = h('div', { class: 'notice notice-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, t('admin.createChild'));
  const form = h('form', { class: 'stack', novalidate: true },
    h('h3', {}, t('admin.newChild')), formError, name.wrapper, childSlug.wrapper, kind.wrapper, submit);
  const fields = { name, slug: childSlug, kind };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formError.hidden = true;
    Object.values(fields).forEach((f) => f.setError(null));
    const body = { name: name.control.value.trim(), slug: childSlug.control.value.trim(), kind: kind.control.value };
    if (!body.name) name.setError(t('admin.nameMissing'));
    if (!body.slug) childSlug.setError(t('admin.slugMissing'));
    if (!body.name || !body.slug) return;
    submit.disabled = true;
    try {
      const created = await api('POST', `${base(slug)}/stations`, body);
      known.push(created);
      render();
      name.control.value = '';
      childSlug.control.value = '';
      slugTouched = false;
      announce(t('admin.childCreated', { name: created.name }));
    } catch (err) {
      showApiError(err, fields, formError);
    } finally {
      submit.disabled = false;
    }
  });
  return section('children-h', t('admin.children'), h('p', { class: 'field-hint' }, t('admin.childrenIntro')), list, form);
}

function zonesSection(slug) {
  const list = h('ul', { class: 'plain-list zone-list' });
  const problem = h('div');
  async function load() {
    try {
      const data = await api('GET', `${base(slug)}/zones`);
      clear(problem);
      const zones = data.zones || [];
      clear(list, zones.length ? zones.map((z) => {
        const remove = h('button', { type: 'button', class: 'button button-quiet', 'aria-label': t('admin.deleteZoneNamed', { name: z.name }) }, t('admin.deleteZone'));
        remove.addEventListener('click', async () => {
          if (!window.confirm(t('zone.deleteConfirm', { name: z.name }))) return;
          try {
            await api('DELETE', `${base(slug)}/zones/${encodeURIComponent(z.id)}`);
            announce(t('zone.deleted', { name: z.name }));
            load();
          } catch (err) {
            clear(problem, errorBox(err.message));
          }
        });
        return h('li', {}, h('span', {}, h('strong', {}, z.name), ' — ', describeZone(unwrapZone(z.zone))), remove);
      }) : h('li', {}, t('admin.noZones')));
    } catch (err) {
      clear(problem, errorBox(err.message));
    }
  }
  load();
  return section('zones-h', t('admin.zones'), h('p', { class: 'field-hint' }, t('admin.zonesIntro')), problem, list);
}

export async function render(ctx) {
  const session = await loadSession();
  const slug = ctx.station;
  const station = await api('GET', base(slug));
  const main = renderFrame({ session, station, active: 'admin', title: t('admin.title') });
  main.append(pageHeading(t('admin.title')));
  if (!(station.roles || []).includes('admin')) {
    main.append(h('p', { class: 'notice' }, t('admin.notAdmin')));
    return;
  }
  main.append(h('div', { class: 'admin-grid' },
    operatorsSection(slug),
    station.kind === 'municipality' ? childStationsSection(slug, session) : null,
    zonesSection(slug),
    templatesSection(slug)));
}
