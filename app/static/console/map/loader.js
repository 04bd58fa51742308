// The console's maps draw zones: Leaflet with Geoman, before console.css.
import { loadLeaflet as load } from '../../core/assets.js';

export const loadLeaflet = () => load({ before: 'console.css', geoman: true });
