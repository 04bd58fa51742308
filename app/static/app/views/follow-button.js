// Follow / stop following one station, with its state said out loud (aria-pressed).
import { announce, h } from '../../../static/core/dom.js';
import { t } from '../core/i18n.js';
import * as device from '../core/device.js';
import { errorText } from '../core/ui.js';

export function followButton(station, { onChange, onError } = {}) {
  const button = h('button', { type: 'button', class: 'button follow-button', dataset: { station: station.slug } });
  const paint = () => {
    const on = device.isFollowed(station.slug);
    button.setAttribute('aria-pressed', on ? 'true' : 'false');
    button.classList.toggle('is-following', on);
    button.textContent = on ? t('follow.following') : t('follow.follow');
    button.setAttribute('aria-label', on ? t('follow.followingLabel', { station: station.name }) : t('follow.followLabel', { station: station.name }));
  };
  paint();
  // another screen part (the list of followed stations) may change it too
  let shown = false;
  const stop = device.onChange(() => {
    if (button.isConnected) shown = true;
    else if (shown) {
      stop();
      return;
    }
    paint();
  });
  button.addEventListener('click', async () => {
    const wasOn = device.isFollowed(station.slug);
    button.disabled = true;
    try {
      if (wasOn) await device.unfollow(station.slug);
      else await device.follow(station);
      announce(wasOn ? t('follow.stopped', { station: station.name }) : t('follow.started', { station: station.name }));
      if (onChange) onChange(!wasOn);
    } catch (err) {
      if (onError) onError(errorText(err));
    } finally {
      button.disabled = false;
      paint();
    }
  });
  return button;
}
