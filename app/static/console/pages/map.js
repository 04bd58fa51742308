// The page a mayor opens on the night of a flood: zone on the map, who it reaches, the message,
// a last look, send.
import { api, ApiError, loadSession } from '../core/api.js';
import { h } from '../core/dom.js';
import { t } from '../core/i18n.js';
import { renderFrame, errorBox } from '../core/layout.js';
import { canSend } from '../core/vocab.js';
import { loadLeaflet } from '../map/loader.js';
import { ZoneEditor } from '../map/zone-editor.js';
import { createAudience } from '../compose/audience.js';
import { createLockscreen } from '../compose/lockscreen.js';
import { createMessageForm } from '../compose/message-form.js';
import { createZonePanel } from '../compose/zone-panel.js';
import { confirmSend } from '../compose/confirm.js';
import { clearDraft, loadDraft, saveDraft } from '../compose/draft.js';
import { createTemplatePicker } from '../templates.js';

function step(number, title, ...content) {
  const id = `step-${number}`;
  return h('section', { class: 'step', 'aria-labelledby': id },
    h('h2', { id }, h('span', { class: 'step-number', 'aria-hidden': 'true' }, String(number)), title), ...content);
}

export async function render(ctx) {
  const session = await loadSession();
  const slug = ctx.station;
  const station = await api('GET', `/api/v1/stations/${encodeURIComponent(slug)}`);
  const main = renderFrame({ session, station, active: 'map', title: station.name });
  if (!canSend(station.roles)) {
    main.append(h('h1', {}, station.name),
      h('p', { class: 'notice' }, t('map.cannotSend')),
      h('p', {}, h('a', { href: `/console/stations/${encodeURIComponent(slug)}/alerts` }, t('nav.history'))));
    return;
  }
  main.classList.add('main-map');
  const zoneOptional = station.kind !== 'municipality';

  const audience = createAudience({ slug, onZoneError: (message) => zonePanel.setError(message) });
  const lockscreen = createLockscreen(station.name);
  const zonePanel = createZonePanel({ slug, optional: zoneOptional });
  const draft = loadDraft(slug);
  const keepDraft = () => {
    const { title, body, severity, category, audience: who } = form.values();
    saveDraft(slug, { title, body, severity, category, audience: who, zone: zonePanel.zone() });
  };
  const form = createMessageForm({
    station,
    onInput: () => {
      lockscreen.update(form.values());
      keepDraft();
    },
    onAudience: () => {
      refreshAudience();
      keepDraft();
    },
  });
  const formError = h('div', { class: 'notice notice-error', role: 'alert', hidden: true });
  const sendButton = h('button', { type: 'submit', class: 'button button-danger button-wide', dataset: { action: 'review' } }, t('compose.review'));
  const templates = createTemplatePicker({ slug, form, sendButton });
  const mapElement = h('div', { class: 'map', id: 'map' }, h('p', { class: 'map-loading' }, t('map.loading')));

  function refreshAudience() {
    const zone = zonePanel.zone();
    if (!zone && !zoneOptional) {
      audience.update(null, t('reach.drawFirst'));
      return;
    }
    audience.update({ zone, audience: form.audience() });
  }
  zonePanel.onZone(refreshAudience);
  if (draft) form.restore(draft);
  zonePanel.onZone(keepDraft);

  const messageForm = h('form', { novalidate: true }, templates.element, form.element, lockscreen.element, formError,
    templates.guard, sendButton);
  const panel = h('div', { class: 'side-panel' },
    h('h1', { class: 'visually-hidden' }, t('map.heading', { station: station.name })),
    step(1, t('map.step.zone'), zonePanel.element),
    step(2, t('map.step.audience'), audience.element),
    step(3, t('map.step.message'), messageForm));
  main.append(h('div', { class: 'map-layout' }, h('div', { class: 'map-pane' }, mapElement), panel));
  refreshAudience();
  lockscreen.update(form.values());

  try {
    const L = await loadLeaflet();
    mapElement.replaceChildren();
    const editor = new ZoneEditor(L, mapElement, {
      territory: station.territory,
      tileUrl: session.map && session.map.tile_url,
      attribution: session.map && session.map.attribution,
      lang: ctx.lang,
      mapLabel: t('map.label', { station: station.name }),
      onChange: (zone) => zonePanel.zoneChanged(zone),
      onRadius: (r) => zonePanel.onRadius(r),
      onMode: (mode) => zonePanel.setMode(mode),
    });
    zonePanel.attach(editor);
    if (draft && draft.zone) editor.loadZone(draft.zone);
    window.tocsinMap = editor.map; // for browser tests: where the commune is on screen
  } catch (err) {
    console.error(err);
    mapElement.replaceChildren(errorBox(t('map.failed')));
  }

  messageForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    formError.hidden = true;
    form.clearErrors();
    const zone = zonePanel.zone();
    const problems = form.validate();
    if (!zone && !zoneOptional) {
      zonePanel.setError(t('zone.required'));
      problems.unshift(['zone', t('zone.required')]);
    }
    if (problems.length) {
      formError.textContent = t('compose.fixErrors', { count: problems.length });
      formError.hidden = false;
      if (problems[0][0] === 'zone') zonePanel.focusTools();
      else form.focus(problems[0][0]);
      return;
    }
    await review(zone);
  });

  async function review(zone) {
    const values = form.values();
    const reach = await audience.settled(); // the zone may have changed a moment ago
    const rows = [
      [t('confirm.station'), station.name, 'station'],
      [t('confirm.zone'), zonePanel.describe(), 'zone'],
      [t('confirm.who'), values.audience === 'everyone' ? t('audience.everyone') : t('audience.followersOf', { station: station.name }), 'audience'],
      [t('confirm.reach'), reach ? (reach.devices === '<10' ? t('reach.fewerThan10') : t('reach.total', { count: reach.devices })) : t('confirm.reachUnknown'), 'reach'],
      [t('confirm.severity'), t(`severity.${values.severity}`), 'severity'],
      [t('confirm.category'), t(`category.${values.category}`), 'category'],
      [t('confirm.expiry'), form.expiryLabel(), 'expiry'],
    ];
    let focusAfter = null;
    // one key per confirmation: a double click or a retried request sends one alert, not two
    const idempotencyKey = newIdempotencyKey();
    await confirmSend({
      rows, title: values.title, body: values.body, severity: values.severity,
      onConfirm: async () => {
        const body = { ...values };
        if (zone) body.zone = zone;
        try {
          const created = await api('POST', `/api/v1/stations/${encodeURIComponent(slug)}/alerts`, body,
            { headers: { 'Idempotency-Key': idempotencyKey } });
          clearDraft(slug);
          location.assign(`/console/alerts/${encodeURIComponent(created.id)}`);
          return null;
        } catch (err) {
          if (!(err instanceof ApiError)) return { message: t('error.unexpected') };
          if (err.field && err.field.startsWith('zone')) {
            zonePanel.setError(err.message);
            focusAfter = () => zonePanel.focusTools();
            return { closeDialog: true };
          }
          const control = form.showError(err.field, err.message);
          if (control) {
            focusAfter = () => control.focus();
            return { closeDialog: true };
          }
          return { message: err.message };
        }
      },
    });
    if (focusAfter) {
      formError.textContent = t('compose.refused');
      formError.hidden = false;
      focusAfter();
    }
  }
}


function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
