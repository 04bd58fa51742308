// Live alert, exercise or test: chosen first, and impossible to mistake afterwards (a coloured
// band across the compose panel, the preview and the confirmation). Exercises and tests reach
// only the station's test devices; the box here tells how to add one and shows an enrolment code.
import { api, ApiError } from '../core/api.js';
import { h, newId, announce } from '../../core/dom.js';
import { formatTime, t } from '../core/i18n.js';
import { STATUSES } from '../../core/vocab.js';

export function modeBand(status, key = 'mode.band') {
  return h('div', { class: `mode-band mode-${status}`, dataset: { mode: status } }, t(`${key}.${status}`));
}

export function createModeChooser({ slug, initial = 'actual', onChange }) {
  const name = newId('mode');
  let current = STATUSES.includes(initial) ? initial : 'actual';
  let testDevices = null;
  const inputs = STATUSES.map((value) => {
    const input = h('input', { type: 'radio', name, value, id: `${name}-${value}`, checked: value === current });
    input.addEventListener('change', () => {
      if (!input.checked) return;
      current = value;
      show();
      onChange?.(value);
    });
    return input;
  });
  const choices = h('fieldset', { class: 'field mode-choice' },
    h('legend', {}, t('mode.legend')),
    h('div', { class: 'mode-options' }, inputs.map((input) => h('div', { class: `choice mode-option mode-${input.value}` }, input,
      h('label', { for: input.id }, h('strong', {}, t(`mode.${input.value}`)), h('span', {}, t(`mode.${input.value}.hint`)))))));

  // how to add a test device, and the code to type in the app
  const count = h('p', { class: 'test-count', dataset: { key: 'test-devices' } });
  const noDevice = h('p', { class: 'notice notice-warning', hidden: true }, t('testdev.none'));
  const codeButton = h('button', { type: 'button', class: 'button', dataset: { action: 'test-code' } }, t('testdev.get'));
  const codeBox = h('div', { class: 'test-code-box', hidden: true, 'aria-live': 'polite' });
  const codeError = h('div', { class: 'notice notice-error', role: 'alert', hidden: true });
  const testBox = h('details', { class: 'test-devices' },
    h('summary', {}, t('testdev.title')),
    count, noDevice, h('p', { class: 'field-hint' }, t('testdev.how')), codeButton, codeError, codeBox);

  const band = h('div', { class: 'mode-band' });
  const element = h('div', { class: 'mode-chooser' }, choices, band, testBox);

  function showCount() {
    if (testDevices === null) {
      count.textContent = '';
      noDevice.hidden = true;
      return;
    }
    count.textContent = t('testdev.count', { count: testDevices });
    noDevice.hidden = current === 'actual' || testDevices > 0;
  }

  function show() {
    band.className = `mode-band mode-${current}`;
    band.dataset.mode = current;
    band.textContent = t(`mode.band.${current}`);
    // the box matters for exercises and tests; for a live alert it stays out of the way
    if (current !== 'actual') testBox.open = true;
    showCount();
  }

  async function refreshCount() {
    try {
      const data = await api('GET', `/api/v1/stations/${encodeURIComponent(slug)}/test-devices`);
      testDevices = data.test_devices;
    } catch {
      testDevices = null;
    }
    showCount();
  }

  codeButton.addEventListener('click', async () => {
    codeButton.disabled = true;
    codeError.hidden = true;
    try {
      const data = await api('POST', `/api/v1/stations/${encodeURIComponent(slug)}/test-devices/codes`, {});
      codeBox.replaceChildren(
        h('p', { class: 'field-hint' }, t('testdev.code')),
        h('p', { class: 'test-code', dataset: { code: data.code } }, data.code),
        h('p', { class: 'field-hint' }, t('testdev.expires', { time: formatTime(new Date(data.expires_at)) })));
      codeBox.hidden = false;
      testDevices = data.test_devices;
      showCount();
      announce(t('testdev.announce', { code: data.code.split('').join(' ') }));
    } catch (err) {
      codeError.textContent = err instanceof ApiError ? err.message : t('error.unexpected');
      codeError.hidden = false;
    } finally {
      codeButton.disabled = false;
    }
  });
  // a phone enrolled meanwhile shows up when the operator comes back to the box
  testBox.addEventListener('toggle', () => { if (testBox.open) refreshCount(); });

  show();
  refreshCount();
  return {
    element,
    value: () => current,
    testDevices: () => testDevices,
    refreshCount,
  };
}
