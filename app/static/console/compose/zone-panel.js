// The "zone" step beside the map: drawing tools, radius in metres, saved zones, what is drawn.
import { api, ApiError } from '../core/api.js';
import { h, clear, field, debounce, announce } from '../../core/dom.js';
import { t } from '../core/i18n.js';
import { RADIUS_MAX, RADIUS_MIN } from '../../core/vocab.js';
import { describeZone } from './describe.js';

const DEFAULT_RADIUS = 1000;

export function createZonePanel({ slug, optional }) {
  let editor = null;
  let zone = null;
  let savedName = null;
  let savedZones = [];
  let loadingSaved = false; // a saved zone being drawn keeps its name; any later edit drops it
  const listeners = [];

  const tool = (key, label) => h('button', {
    type: 'button', class: 'button tool', 'aria-pressed': 'false', dataset: { tool: key },
  }, label);
  const circleButton = tool('circle', t('zone.circle'));
  const polygonButton = tool('polygon', t('zone.polygon'));
  const clearButton = h('button', { type: 'button', class: 'button button-quiet', dataset: { tool: 'clear' } }, t('zone.clear'));
  const help = h('p', { class: 'draw-help', 'aria-live': 'polite' });
  const finishButton = h('button', { type: 'button', class: 'button', hidden: true }, t('zone.finishPolygon'));
  const cancelButton = h('button', { type: 'button', class: 'button button-quiet', hidden: true }, t('zone.cancelDrawing'));

  const radius = field({
    label: t('zone.radius'),
    hint: t('zone.radiusHint', { min: RADIUS_MIN, max: RADIUS_MAX }),
    control: h('input', { type: 'number', name: 'radius', min: RADIUS_MIN, max: RADIUS_MAX, step: 10, inputmode: 'numeric', value: DEFAULT_RADIUS }),
  });
  const centreButton = h('button', { type: 'button', class: 'button button-quiet' }, t('zone.circleAtCentre'));
  radius.wrapper.append(centreButton);

  const summary = h('p', { class: 'zone-summary', dataset: { empty: 'true' } });
  const error = h('div', { class: 'notice notice-error', role: 'alert', hidden: true });

  const savedSelect = h('select', {}, h('option', { value: '' }, t('zone.savedNone')));
  const saved = field({ label: t('zone.saved'), control: savedSelect });
  const deleteSaved = h('button', { type: 'button', class: 'button button-quiet', hidden: true }, t('zone.deleteSaved'));
  saved.wrapper.append(deleteSaved);

  const saveName = field({ label: t('zone.saveName'), control: h('input', { type: 'text', name: 'zone-name', maxlength: 100 }) });
  const saveConfirm = h('button', { type: 'button', class: 'button' }, t('zone.saveConfirm'));
  const saveCancel = h('button', { type: 'button', class: 'button button-quiet' }, t('zone.cancel'));
  const saveForm = h('div', { class: 'inline-form', role: 'group', 'aria-label': t('zone.save'), hidden: true },
    saveName.wrapper, h('div', { class: 'actions' }, saveConfirm, saveCancel));
  const saveOpen = h('button', { type: 'button', class: 'button button-quiet', disabled: true }, t('zone.save'));

  const element = h('div', { class: 'zone-panel' },
    optional ? h('p', { class: 'field-hint' }, t('zone.optional')) : null,
    h('div', { class: 'toolbar', role: 'group', 'aria-label': t('zone.tools') }, circleButton, polygonButton, clearButton),
    help,
    h('div', { class: 'actions' }, finishButton, cancelButton),
    radius.wrapper,
    summary,
    error,
    saved.wrapper,
    saveOpen, saveForm);

  function setMode(mode) {
    circleButton.setAttribute('aria-pressed', String(mode === 'circle'));
    polygonButton.setAttribute('aria-pressed', String(mode === 'polygon'));
    finishButton.hidden = mode !== 'polygon';
    cancelButton.hidden = !mode;
    help.textContent = mode ? t(`zone.help.${mode}`) : '';
  }

  function setError(message) {
    error.textContent = message || '';
    error.hidden = !message;
  }

  function describe() {
    return describeZone(zone, savedName, optional);
  }

  function zoneChanged(next) {
    zone = next;
    if (!loadingSaved) {
      savedName = null;
      savedSelect.value = '';
      deleteSaved.hidden = true;
    }
    setError(null);
    summary.textContent = describe();
    summary.dataset.empty = String(!zone);
    saveOpen.disabled = !zone;
    if (zone && zone.type === 'Circle' && document.activeElement !== radius.control) {
      radius.control.value = String(zone.radius_m);
    }
    for (const fn of listeners) fn(zone);
  }

  function chooseSaved() {
    const chosen = savedZones.find((z) => String(z.id) === savedSelect.value);
    deleteSaved.hidden = !chosen;
    if (!chosen) return;
    loadingSaved = true;
    savedName = chosen.name;
    try {
      editor.loadZone(chosen.zone);
    } finally {
      loadingSaved = false;
    }
  }

  function fillSaved(list, selectedId) {
    savedZones = list;
    clear(savedSelect, h('option', { value: '' }, list.length ? t('zone.savedChoose') : t('zone.savedNone')),
      list.map((z) => h('option', { value: String(z.id) }, z.name)));
    savedSelect.disabled = !list.length;
    if (selectedId !== undefined) savedSelect.value = String(selectedId);
  }

  async function loadSaved() {
    try {
      const data = await api('GET', `/api/v1/stations/${encodeURIComponent(slug)}/zones`);
      fillSaved(data.zones || []);
    } catch (err) {
      fillSaved([]);
      if (err instanceof ApiError) saved.setError(err.message);
    }
  }

  const applyRadius = debounce(() => {
    const value = Number(radius.control.value);
    if (!Number.isFinite(value) || value <= 0) return;
    const clamped = Math.min(RADIUS_MAX, Math.max(RADIUS_MIN, Math.round(value)));
    radius.setError(clamped !== Math.round(value) ? t('zone.radiusClamped', { radius: clamped }) : null);
    editor?.setRadius(clamped);
  }, 400);

  function attach(zoneEditor) {
    editor = zoneEditor;
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
    centreButton.addEventListener('click', () => {
      const value = Number(radius.control.value) || DEFAULT_RADIUS;
      editor.circleAtCentre(Math.min(RADIUS_MAX, Math.max(RADIUS_MIN, value)));
    });
    radius.control.addEventListener('input', applyRadius);
    radius.control.addEventListener('change', () => {
      applyRadius();
      applyRadius.cancel();
      const value = Number(radius.control.value);
      const clamped = Math.min(RADIUS_MAX, Math.max(RADIUS_MIN, Math.round(Number.isFinite(value) ? value : DEFAULT_RADIUS)));
      radius.control.value = String(clamped);
      radius.setError(clamped !== value ? t('zone.radiusClamped', { radius: clamped }) : null);
      editor.setRadius(clamped);
    });
    savedSelect.addEventListener('change', chooseSaved);
    deleteSaved.addEventListener('click', async () => {
      const chosen = savedZones.find((z) => String(z.id) === savedSelect.value);
      if (!chosen || !window.confirm(t('zone.deleteConfirm', { name: chosen.name }))) return;
      try {
        await api('DELETE', `/api/v1/stations/${encodeURIComponent(slug)}/zones/${encodeURIComponent(chosen.id)}`);
        savedName = null;
        fillSaved(savedZones.filter((z) => z !== chosen));
        deleteSaved.hidden = true;
        summary.textContent = describe();
        announce(t('zone.deleted', { name: chosen.name }));
      } catch (err) {
        saved.setError(err instanceof ApiError ? err.message : t('error.unexpected'));
      }
    });
    saveOpen.addEventListener('click', () => {
      saveForm.hidden = false;
      saveOpen.hidden = true;
      saveName.control.focus();
    });
    saveCancel.addEventListener('click', closeSaveForm);
    saveConfirm.addEventListener('click', saveZone);
    saveName.control.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') saveZone(event);
      if (event.key === 'Escape') closeSaveForm();
    });
    radius.control.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        radius.control.dispatchEvent(new Event('change'));
      }
    });
    loadSaved();
  }

  function closeSaveForm() {
    saveForm.hidden = true;
    saveOpen.hidden = false;
    saveName.setError(null);
    saveName.control.value = '';
  }

  async function saveZone(event) {
    event.preventDefault();
    const name = saveName.control.value.trim();
    if (!name) {
      saveName.setError(t('zone.saveNameMissing'));
      saveName.control.focus();
      return;
    }
    saveConfirm.disabled = true;
    try {
      const created = await api('POST', `/api/v1/stations/${encodeURIComponent(slug)}/zones`, { name, zone });
      fillSaved([...savedZones, created].sort((a, b) => a.name.localeCompare(b.name)), created.id);
      savedName = created.name;
      deleteSaved.hidden = false;
      summary.textContent = describe();
      closeSaveForm();
      saveOpen.focus();
      announce(t('zone.savedDone', { name: created.name }));
    } catch (err) {
      const message = err instanceof ApiError ? err.message : t('error.unexpected');
      if (err instanceof ApiError && err.field && err.field.startsWith('zone')) setError(message);
      else saveName.setError(message);
      saveName.control.focus();
    } finally {
      saveConfirm.disabled = false;
    }
  }

  summary.textContent = describe();

  return {
    element, attach, setMode, setError, describe,
    onRadius: (r) => {
      if (document.activeElement !== radius.control) radius.control.value = String(Math.round(r));
    },
    onZone: (fn) => listeners.push(fn),
    zoneChanged,
    zone: () => zone,
    focusTools: () => circleButton.focus(),
  };
}

