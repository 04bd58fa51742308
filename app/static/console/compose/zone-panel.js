// The "zone" step beside the map: drawing tools, radius in metres, saved zones, what is drawn.
import { h, field, debounce, announce } from '../../core/dom.js';
import { t } from '../core/i18n.js';
import { RADIUS_MAX, RADIUS_MIN } from '../../core/vocab.js';
import { describeZone } from './describe.js';
import { createSavedZones } from './saved-zones.js';

const DEFAULT_RADIUS = 1000;
const clampRadius = (value) => Math.min(RADIUS_MAX, Math.max(RADIUS_MIN, value));

// Circle, polygon, clear; finish or cancel the drawing in progress; what to do now.
function drawingTools() {
  const tool = (key, label) => h('button', {
    type: 'button', class: 'button tool', 'aria-pressed': 'false', dataset: { tool: key },
  }, label);
  const circleButton = tool('circle', t('zone.circle'));
  const polygonButton = tool('polygon', t('zone.polygon'));
  const clearButton = h('button', { type: 'button', class: 'button button-quiet', dataset: { tool: 'clear' } }, t('zone.clear'));
  const help = h('p', { class: 'draw-help', 'aria-live': 'polite' });
  const finishButton = h('button', { type: 'button', class: 'button', hidden: true }, t('zone.finishPolygon'));
  const cancelButton = h('button', { type: 'button', class: 'button button-quiet', hidden: true }, t('zone.cancelDrawing'));
  return {
    elements: [h('div', { class: 'toolbar', role: 'group', 'aria-label': t('zone.tools') }, circleButton, polygonButton, clearButton),
      help, h('div', { class: 'actions' }, finishButton, cancelButton)],
    setMode(mode) {
      circleButton.setAttribute('aria-pressed', String(mode === 'circle'));
      polygonButton.setAttribute('aria-pressed', String(mode === 'polygon'));
      finishButton.hidden = mode !== 'polygon';
      cancelButton.hidden = !mode;
      help.textContent = mode ? t(`zone.help.${mode}`) : '';
    },
    attach(editor) {
      circleButton.addEventListener('click', () => {
        if (editor.mode === 'circle') editor.cancelDrawing();
        else editor.startCircle();
      });
      polygonButton.addEventListener('click', () => {
        if (editor.mode === 'polygon') editor.cancelDrawing();
        else editor.startPolygon();
      });
      finishButton.addEventListener('click', () => editor.finishPolygon());
      cancelButton.addEventListener('click', () => editor.cancelDrawing());
      clearButton.addEventListener('click', () => {
        editor.clear();
        announce(t('zone.cleared'));
      });
    },
    focus: () => circleButton.focus(),
  };
}

// The circle's radius, typed: applied as one types, kept within the limits.
function radiusField() {
  const radius = field({
    label: t('zone.radius'),
    hint: t('zone.radiusHint', { min: RADIUS_MIN, max: RADIUS_MAX }),
    control: h('input', { type: 'number', name: 'radius', min: RADIUS_MIN, max: RADIUS_MAX, step: 10, inputmode: 'numeric', value: DEFAULT_RADIUS }),
  });
  const centreButton = h('button', { type: 'button', class: 'button button-quiet' }, t('zone.circleAtCentre'));
  radius.wrapper.append(centreButton);
  let editor = null;
  const applyRadius = debounce(() => {
    const value = Number(radius.control.value);
    if (!Number.isFinite(value) || value <= 0) return;
    const clamped = clampRadius(Math.round(value));
    radius.setError(clamped !== Math.round(value) ? t('zone.radiusClamped', { radius: clamped }) : null);
    editor?.setRadius(clamped);
  }, 400);

  function attach(zoneEditor) {
    editor = zoneEditor;
    centreButton.addEventListener('click', () => {
      const value = Number(radius.control.value) || DEFAULT_RADIUS;
      editor.circleAtCentre(clampRadius(value));
    });
    radius.control.addEventListener('input', applyRadius);
    radius.control.addEventListener('change', () => {
      applyRadius();
      applyRadius.cancel();
      const value = Number(radius.control.value);
      const clamped = clampRadius(Math.round(Number.isFinite(value) ? value : DEFAULT_RADIUS));
      radius.control.value = String(clamped);
      radius.setError(clamped !== value ? t('zone.radiusClamped', { radius: clamped }) : null);
      editor.setRadius(clamped);
    });
    radius.control.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        radius.control.dispatchEvent(new Event('change'));
      }
    });
  }

  // the radius on the map changed (a drag, a circle drawn): said here unless one is typing
  function show(metres) {
    if (document.activeElement !== radius.control) radius.control.value = String(metres);
  }

  return { element: radius.wrapper, attach, show };
}

export function createZonePanel({ slug, optional }) {
  let zone = null;
  const listeners = [];
  const tools = drawingTools();
  const radius = radiusField();
  const summary = h('p', { class: 'zone-summary', dataset: { empty: 'true' } });
  const error = h('div', { class: 'notice notice-error', role: 'alert', hidden: true });
  const describe = () => describeZone(zone, saved.name(), optional);
  const setError = (message) => {
    error.textContent = message || '';
    error.hidden = !message;
  };
  const saved = createSavedZones({
    slug,
    panel: { zone: () => zone, setError, named: () => { summary.textContent = describe(); } },
  });

  const element = h('div', { class: 'zone-panel' },
    optional ? h('p', { class: 'field-hint' }, t('zone.optional')) : null,
    tools.elements,
    radius.element,
    summary,
    error,
    saved.elements);

  function zoneChanged(next) {
    zone = next;
    saved.zoneChanged(zone);
    setError(null);
    summary.textContent = describe();
    summary.dataset.empty = String(!zone);
    if (zone && zone.type === 'Circle') radius.show(zone.radius_m);
    for (const fn of listeners) fn(zone);
  }

  function attach(editor) {
    tools.attach(editor);
    radius.attach(editor);
    saved.attach(editor);
  }

  summary.textContent = describe();

  return {
    element, attach, setMode: tools.setMode, setError, describe,
    onRadius: (r) => radius.show(Math.round(r)),
    onZone: (fn) => listeners.push(fn),
    zoneChanged,
    zone: () => zone,
    focusTools: tools.focus,
  };
}
