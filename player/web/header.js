import { auth } from './api.js';
import { el } from './dom.js';
import { DEFAULT_TIME_ZONE, has, locale, LOCALES, setLocale, setTimeZone, t, timeZone } from './i18n/i18n.js';
import { navLinks } from './nav.js';

/**
 * The top bar: brand, the menu (collapsed behind a toggle on narrow screens), who is logged in, the
 * language switch and log out. Rendered again on every navigation so the active entry is marked.
 */
export function renderHeader(top, activePage) {
  const user = auth.user;
  const languages = el('select', { 'data-testid': 'language', 'aria-label': t('common.language'), onchange: (event) => { setLocale(event.target.value); location.reload(); } },
    LOCALES.map((code) => el('option', { value: code, selected: code === locale() }, t(`common.locale_${code}`))));
  // Logged in, the language and zone pickers fold into the menu on a phone.
  const prefs = el('span', { class: user ? 'prefs folding' : 'prefs' }, languages, zonePicker());
  if (!user) {
    top.replaceChildren(el('span', { class: 'brand' }, t('common.appName')), el('span', { class: 'spacer' }), prefs);
    return;
  }
  const menu = el('nav', { id: 'menu', 'data-testid': 'menu' }, navLinks(user, activePage));
  const toggle = el('button', {
    type: 'button', class: 'menu-toggle', 'data-testid': 'menu-toggle', 'aria-controls': 'menu', 'aria-expanded': 'false',
    onclick: () => {
      const open = top.classList.toggle('menu-open');
      toggle.setAttribute('aria-expanded', String(open));
    },
  }, '☰ ', t('common.menu'));
  // Choosing an entry closes the menu on a phone.
  menu.addEventListener('click', (event) => { if (event.target.closest('a')) { top.classList.remove('menu-open'); toggle.setAttribute('aria-expanded', 'false'); } });
  top.classList.remove('menu-open');
  top.replaceChildren(
    el('span', { class: 'brand' }, t('common.appName')), toggle, menu,
    el('span', { class: 'who', 'data-testid': 'who', title: `${user.username} · ${user.departmentName ?? ''}` }, `${user.username} · ${user.departmentName ?? ''}`),
    prefs,
    el('button', { type: 'button', 'data-testid': 'logout', onclick: logOut }, t('common.logout')),
  );
}

// Zones offered besides the browser's own: China time first (the default), then Xinjiang time, Hong Kong, UTC.
const ZONES = [DEFAULT_TIME_ZONE, 'Asia/Urumqi', 'Asia/Hong_Kong', 'UTC'];

/** The time zone every date and time is shown in (Asia/Shanghai unless the user picks another); reloads to apply. */
function zonePicker() {
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const zones = [...new Set([...ZONES, timeZone(), own].filter(Boolean))];
  const label = (zone) => {
    const key = `common.zone_${zone.replace(/\W/g, '_')}`;
    if (has(key)) return t(key);
    return zone === own ? t('common.zoneOwn', { zone }) : zone;
  };
  return el('select', { 'data-testid': 'time-zone', 'aria-label': t('common.timeZone'), onchange: (event) => { setTimeZone(event.target.value); location.reload(); } },
    zones.map((zone) => el('option', { value: zone, selected: zone === timeZone() }, label(zone))));
}

function logOut() {
  auth.clear();
  // Already on #/login (no hashchange would follow): reload so the header forgets the user.
  if (location.hash === '#/login') location.reload();
  else location.hash = '#/login';
}
