// The page a mayor opens on the night of a flood: zone on the map, who it reaches, the message,
// a last look, send.
import { api, ApiError, loadSession } from '../core/api.js';
import { h } from '../../core/dom.js';
import { t } from '../core/i18n.js';
import { renderFrame, errorBox } from '../core/layout.js';
import { canSend } from '../../core/vocab.js';
import { loadLeaflet } from '../map/loader.js';
import { ZoneEditor } from '../map/zone-editor.js';
import { createAudience } from '../compose/audience.js';
import { createLockscreen } from '../compose/lockscreen.js';
import { createMessageForm } from '../compose/message-form.js';
import { createZonePanel } from '../compose/zone-panel.js';
import { confirmSend } from '../compose/confirm.js';
import { clearDraft, loadDraft, saveDraft } from '../compose/draft.js';
import { createTemplatePicker } from '../templates.js';
import { createModeChooser } from '../compose/mode.js';
import { createEnglishVersion } from '../compose/languages.js';
import { createSchedule } from '../compose/schedule.js';
import { frameText } from '../compose/frame.js';

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
    saveDraft(slug, {
      title, body, severity, category, audience: who, zone: zonePanel.zone(),
      status: mode.value(), en: english.active() ? english.values() : null,
    });
  };
  // live alert, exercise or test: first, and shown in colour across the panel from then on
  const mode = createModeChooser({
    slug,
    initial: draft && draft.status,
    onChange: (status) => {
      panel.dataset.mode = status;
      sendButton.dataset.mode = status;
      refreshPreview();
      refreshAudience();
      keepDraft();
    },
  });
  const english = createEnglishVersion({ onInput: () => { refreshPreview(); keepDraft(); } });
  const schedule = createSchedule({});
  const refreshPreview = () => lockscreen.update({
    ...form.values(), status: mode.value(), en: english.active() ? english.values() : null,
  });
  const form = createMessageForm({
    station,
    onInput: () => {
      refreshPreview();
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
    audience.update({ zone, audience: form.audience(), status: mode.value() });
  }
  zonePanel.onZone(refreshAudience);
  if (draft) form.restore(draft);
  if (draft) english.restore(draft.en);
  zonePanel.onZone(keepDraft);

  const messageForm = h('form', { novalidate: true }, mode.element, templates.element, form.element, english.element,
    schedule.element, lockscreen.element, formError, templates.guard, sendButton);
  const panel = h('div', { class: 'side-panel' },
    h('h1', { class: 'visually-hidden' }, t('map.heading', { station: station.name })),
    step(1, t('map.step.zone'), zonePanel.element),
    step(2, t('map.step.audience'), audience.element),
    step(3, t('map.step.message'), messageForm));
  panel.dataset.mode = mode.value();
  sendButton.dataset.mode = mode.value();
  main.append(h('div', { class: 'map-layout' }, h('div', { class: 'map-pane' }, mapElement), panel));
  refreshAudience();
  refreshPreview();

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
    const problems = [...form.validate(), ...english.validate(), ...schedule.validate()];
    if (!zone && !zoneOptional) {
      zonePanel.setError(t('zone.required'));
      problems.unshift(['zone', t('zone.required')]);
    }
    if (problems.length) {
      formError.textContent = t('compose.fixErrors', { count: problems.length });
      formError.hidden = false;
      const first = problems[0][0];
      if (first === 'zone') zonePanel.focusTools();
      else if (first.endsWith('-en')) english.focus(first);
      else if (first === 'send_at') schedule.focus();
      else form.focus(first);
      return;
    }
    await review(zone);
  });

  async function review(zone) {
    const values = form.values();
    const status = mode.value();
    const live = status === 'actual';
    const reach = await audience.settled(); // the zone may have changed a moment ago
    const en = english.active() ? english.values() : null;
    const sendAt = schedule.value();
    if (!live) await mode.refreshCount();
    const testDevices = mode.testDevices();
    const reachText = !live && testDevices !== null
      ? t('reach.testTotal', { count: testDevices })
      : reach ? (reach.devices === '<10' ? t('reach.fewerThan10') : t('reach.total', { count: reach.devices })) : t('confirm.reachUnknown');
    const rows = [
      [t('confirm.mode'), t(`mode.${status}`), 'mode'],
      [t('confirm.station'), station.name, 'station'],
      [t('confirm.zone'), zonePanel.describe(), 'zone'],
      [t('confirm.who'), !live ? t('confirm.testDevicesOnly')
        : values.audience === 'everyone' ? t('audience.everyone') : t('audience.followersOf', { station: station.name }), 'audience'],
      [t('confirm.reach'), reachText, 'reach'],
      [t('confirm.severity'), t(`severity.${values.severity}`), 'severity'],
      [t('confirm.category'), t(`category.${values.category}`), 'category'],
      [t('confirm.languages'), en ? `${t('lang.name.fr')}, ${t('lang.name.en')}` : t('lang.name.fr'), 'languages'],
      [t('confirm.when'), schedule.label(), 'when'],
      [t('confirm.expiry'), form.expiryLabel(), 'expiry'],
    ];
    const modeLede = live
      ? t('confirm.lede.actual', { station: station.name })
      : t(`confirm.lede.${status}`, { station: station.name, count: testDevices ?? 0 });
    // the words exactly as phones will show them (framed for an exercise or a test)
    const messages = [{ lang: 'fr', ...frameText(status, 'fr', values) }];
    if (en) messages.push({ lang: 'en', ...frameText(status, 'en', en) });
    let sendLabel = live ? t('confirm.send') : t(`confirm.send.${status}`);
    if (sendAt) sendLabel = t('confirm.send.scheduled');
    let focusAfter = null;
    // one key per confirmation: a double click or a retried request sends one alert, not two
    const idempotencyKey = newIdempotencyKey();
    await confirmSend({
      rows, title: values.title, body: values.body, severity: values.severity, status, modeLede, messages, sendLabel,
      onConfirm: async () => {
        const body = { ...values, status };
        if (en) {
          delete body.title;
          delete body.body;
          body.texts = { fr: { title: values.title, body: values.body }, en };
        }
        if (sendAt) body.send_at = sendAt;
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
          // texts.fr.title → the title field; texts.en.* → the English version; send_at → the schedule
          const fieldName = err.field && err.field.startsWith('texts.fr.') ? err.field.slice('texts.fr.'.length) : err.field;
          const control = english.showError(err.field, err.message) || schedule.showError(err.field, err.message)
            || form.showError(fieldName, err.message);
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
