// The page a mayor opens on the night of a flood: zone on the map, who it reaches, the message,
// a last look, send. The parts are in ../compose/ and ../map/.
import { api, ApiError, loadSession, newIdempotencyKey } from '../core/api.js';
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

// The side panel's parts, wired together: each change refreshes the preview and the reach and
// is kept as a draft (restored here if the page was left before sending).
function createComposer(station, slug) {
  const zoneOptional = station.kind !== 'municipality';
  const c = { station, slug, zoneOptional };
  c.audience = createAudience({ slug, onZoneError: (message) => c.zonePanel.setError(message) });
  c.lockscreen = createLockscreen(station.name);
  c.zonePanel = createZonePanel({ slug, optional: zoneOptional });
  const draft = loadDraft(slug);
  c.draft = draft;
  const keepDraft = () => {
    const { title, body, severity, category, audience: who } = c.form.values();
    saveDraft(slug, {
      title, body, severity, category, audience: who, zone: c.zonePanel.zone(),
      status: c.mode.value(), en: c.english.active() ? c.english.values() : null,
    });
  };
  // live alert, exercise or test: first, and shown in colour across the panel from then on
  c.mode = createModeChooser({
    slug,
    initial: draft && draft.status,
    onChange: (status) => {
      c.panel.dataset.mode = status;
      c.sendButton.dataset.mode = status;
      c.refreshPreview();
      c.refreshAudience();
      keepDraft();
    },
  });
  c.english = createEnglishVersion({ onInput: () => { c.refreshPreview(); keepDraft(); } });
  c.schedule = createSchedule({});
  c.refreshPreview = () => c.lockscreen.update({
    ...c.form.values(), status: c.mode.value(), en: c.english.active() ? c.english.values() : null,
  });
  c.form = createMessageForm({
    station,
    onInput: () => {
      c.refreshPreview();
      keepDraft();
    },
    onAudience: () => {
      c.refreshAudience();
      keepDraft();
    },
  });
  c.formError = h('div', { class: 'notice notice-error', role: 'alert', hidden: true });
  c.sendButton = h('button', { type: 'submit', class: 'button button-danger button-wide', dataset: { action: 'review' } }, t('compose.review'));
  c.templates = createTemplatePicker({ slug, form: c.form, sendButton: c.sendButton });
  c.mapElement = h('div', { class: 'map', id: 'map' }, h('p', { class: 'map-loading' }, t('map.loading')));
  c.refreshAudience = () => {
    const zone = c.zonePanel.zone();
    if (!zone && !zoneOptional) {
      c.audience.update(null, t('reach.drawFirst'));
      return;
    }
    c.audience.update({ zone, audience: c.form.audience(), status: c.mode.value() });
  };
  c.zonePanel.onZone(c.refreshAudience);
  if (draft) c.form.restore(draft);
  if (draft) c.english.restore(draft.en);
  c.zonePanel.onZone(keepDraft);
  return c;
}

function layOut(c) {
  c.messageForm = h('form', { novalidate: true }, c.mode.element, c.templates.element, c.form.element, c.english.element,
    c.schedule.element, c.lockscreen.element, c.formError, c.templates.guard, c.sendButton);
  c.panel = h('div', { class: 'side-panel' },
    h('h1', { class: 'visually-hidden' }, t('map.heading', { station: c.station.name })),
    step(1, t('map.step.zone'), c.zonePanel.element),
    step(2, t('map.step.audience'), c.audience.element),
    step(3, t('map.step.message'), c.messageForm));
  c.panel.dataset.mode = c.mode.value();
  c.sendButton.dataset.mode = c.mode.value();
  return h('div', { class: 'map-layout' }, h('div', { class: 'map-pane' }, c.mapElement), c.panel);
}

async function attachMap(c, session, lang) {
  try {
    const L = await loadLeaflet();
    c.mapElement.replaceChildren();
    const editor = new ZoneEditor(L, c.mapElement, {
      territory: c.station.territory,
      tileUrl: session.map && session.map.tile_url,
      attribution: session.map && session.map.attribution,
      lang,
      mapLabel: t('map.label', { station: c.station.name }),
      onChange: (zone) => c.zonePanel.zoneChanged(zone),
      onRadius: (r) => c.zonePanel.onRadius(r),
      onMode: (mode) => c.zonePanel.setMode(mode),
    });
    c.zonePanel.attach(editor);
    if (c.draft && c.draft.zone) editor.loadZone(c.draft.zone);
    window.tocsinMap = editor.map; // for browser tests: where the commune is on screen
  } catch (err) {
    console.error(err);
    c.mapElement.replaceChildren(errorBox(t('map.failed')));
  }
}

// The checks before the confirmation; the first field in error gets the focus.
async function submit(event, c) {
  event.preventDefault();
  c.formError.hidden = true;
  c.form.clearErrors();
  const zone = c.zonePanel.zone();
  const problems = [...c.form.validate(), ...c.english.validate(), ...c.schedule.validate()];
  if (!zone && !c.zoneOptional) {
    c.zonePanel.setError(t('zone.required'));
    problems.unshift(['zone', t('zone.required')]);
  }
  if (problems.length) {
    c.formError.textContent = t('compose.fixErrors', { count: problems.length });
    c.formError.hidden = false;
    const first = problems[0][0];
    if (first === 'zone') c.zonePanel.focusTools();
    else if (first.endsWith('-en')) c.english.focus(first);
    else if (first === 'send_at') c.schedule.focus();
    else c.form.focus(first);
    return;
  }
  await review(c, zone);
}

function reachLine(live, reach, testDevices) {
  if (!live && testDevices !== null) return t('reach.testTotal', { count: testDevices });
  if (!reach) return t('confirm.reachUnknown');
  return reach.devices === '<10' ? t('reach.fewerThan10') : t('reach.total', { count: reach.devices });
}

// What the confirmation lists: each row [label, value, key].
function confirmRows(c, { values, status, live, reach, testDevices, en }) {
  const { station } = c;
  return [
    [t('confirm.mode'), t(`mode.${status}`), 'mode'],
    [t('confirm.station'), station.name, 'station'],
    [t('confirm.zone'), c.zonePanel.describe(), 'zone'],
    [t('confirm.who'), !live ? t('confirm.testDevicesOnly')
      : values.audience === 'everyone' ? t('audience.everyone') : t('audience.followersOf', { station: station.name }), 'audience'],
    [t('confirm.reach'), reachLine(live, reach, testDevices), 'reach'],
    [t('confirm.severity'), t(`severity.${values.severity}`), 'severity'],
    [t('confirm.category'), t(`category.${values.category}`), 'category'],
    [t('confirm.languages'), en ? `${t('lang.name.fr')}, ${t('lang.name.en')}` : t('lang.name.fr'), 'languages'],
    [t('confirm.when'), c.schedule.label(), 'when'],
    [t('confirm.expiry'), c.form.expiryLabel(), 'expiry'],
  ];
}

function requestBody({ values, status, en, sendAt, zone }) {
  const body = { ...values, status };
  if (en) {
    delete body.title;
    delete body.body;
    body.texts = { fr: { title: values.title, body: values.body }, en };
  }
  if (sendAt) body.send_at = sendAt;
  if (zone) body.zone = zone;
  return body;
}

// Sends; a refusal that names a field closes the dialog and `then(focus)` is where to go next.
async function send(c, sending, then) {
  try {
    const created = await api('POST', `/api/v1/stations/${encodeURIComponent(c.slug)}/alerts`, requestBody(sending),
      { headers: { 'Idempotency-Key': sending.idempotencyKey } });
    clearDraft(c.slug);
    location.assign(`/console/alerts/${encodeURIComponent(created.id)}`);
    return null;
  } catch (err) {
    if (!(err instanceof ApiError)) return { message: t('error.unexpected') };
    if (err.field && err.field.startsWith('zone')) {
      c.zonePanel.setError(err.message);
      then(() => c.zonePanel.focusTools());
      return { closeDialog: true };
    }
    // texts.fr.title → the title field; texts.en.* → the English version; send_at → the schedule
    const fieldName = err.field && err.field.startsWith('texts.fr.') ? err.field.slice('texts.fr.'.length) : err.field;
    const control = c.english.showError(err.field, err.message) || c.schedule.showError(err.field, err.message)
      || c.form.showError(fieldName, err.message);
    if (control) {
      then(() => control.focus());
      return { closeDialog: true };
    }
    return { message: err.message };
  }
}

async function review(c, zone) {
  const values = c.form.values();
  const status = c.mode.value();
  const live = status === 'actual';
  const reach = await c.audience.settled(); // the zone may have changed a moment ago
  const en = c.english.active() ? c.english.values() : null;
  const sendAt = c.schedule.value();
  if (!live) await c.mode.refreshCount();
  const testDevices = c.mode.testDevices();
  const modeLede = live
    ? t('confirm.lede.actual', { station: c.station.name })
    : t(`confirm.lede.${status}`, { station: c.station.name, count: testDevices ?? 0 });
  // the words exactly as phones will show them (framed for an exercise or a test)
  const messages = [{ lang: 'fr', ...frameText(status, 'fr', values) }];
  if (en) messages.push({ lang: 'en', ...frameText(status, 'en', en) });
  let sendLabel = live ? t('confirm.send') : t(`confirm.send.${status}`);
  if (sendAt) sendLabel = t('confirm.send.scheduled');
  let focusAfter = null;
  // one key per confirmation: a double click or a retried request sends one alert, not two
  const sending = { values, status, en, sendAt, zone, idempotencyKey: newIdempotencyKey() };
  await confirmSend({
    rows: confirmRows(c, { values, status, live, reach, testDevices, en }),
    title: values.title, body: values.body, severity: values.severity, status, modeLede, messages, sendLabel,
    onConfirm: () => send(c, sending, (focus) => { focusAfter = focus; }),
  });
  if (focusAfter) {
    c.formError.textContent = t('compose.refused');
    c.formError.hidden = false;
    focusAfter();
  }
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
  const c = createComposer(station, slug);
  main.append(layOut(c));
  c.refreshAudience();
  c.refreshPreview();
  await attachMap(c, session, ctx.lang);
  c.messageForm.addEventListener('submit', (event) => submit(event, c));
}
