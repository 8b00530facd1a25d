import { apiBlobUrl } from '../api.js';
import { el } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { term } from '../terms.js';

// Shared bits of the traffic-control pages: plate colour badges, pass cells, the trajectory link, file downloads.

/** Who may put plates on a watchlist or take them off (the API's access ['approver']; admin passes every check). */
export const WATCHLIST_EDITORS = ['approver', 'admin'];

export const colourBadge = (colour) => el('span', { class: `badge plate plate-${colour}`, 'data-testid': 'plate-colour', 'data-colour': colour }, term('plate', colour));

/** Vehicle colour, class, lane and direction of a pass in words ('—' when none is known). */
export function vehicleText(pass) {
  const parts = [pass.vehicleColour ? term('colour', pass.vehicleColour) : null, pass.vehicleClass ? term('vehicle', pass.vehicleClass) : null,
    pass.lane === null || pass.lane === undefined ? null : t('checkpoint.lane', { lane: pass.lane }), pass.direction ? term('direction', pass.direction) : null];
  return parts.filter(Boolean).join(' · ');
}

export const confidence = (value) => `${Math.round(Number(value) * 100)}%`;

/** The plate as a link to its trajectory page. */
export function plateLink(plate) {
  return el('a', { href: `#/trajectory/${encodeURIComponent(plate)}`, class: 'plate-text', 'data-testid': 'trajectory-link' }, plate);
}

/** Downloads an authorised file: fetched with the bearer header, handed to the browser as an object URL. */
export async function downloadWithAuth(path, filename) {
  const url = await apiBlobUrl(path);
  const link = el('a', { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
