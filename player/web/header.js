import { auth } from './api.js';
import { el } from './dom.js';
import { locale, LOCALES, setLocale, t } from './i18n/i18n.js';
import { navLinks } from './nav.js';

/**
 * The top bar: brand, the menu (collapsed behind a toggle on narrow screens), who is logged in, the
 * language switch and log out. Rendered again on every navigation so the active entry is marked.
 */
export function renderHeader(top, activePage) {
  const user = auth.user;
  const languages = el('select', { 'data-testid': 'language', 'aria-label': t('common.language'), onchange: (event) => { setLocale(event.target.value); location.reload(); } },
    LOCALES.map((code) => el('option', { value: code, selected: code === locale() }, t(`common.locale_${code}`))));
  if (!user) {
    top.replaceChildren(el('span', { class: 'brand' }, t('common.appName')), el('span', { class: 'spacer' }), languages);
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
    el('span', { class: 'who', 'data-testid': 'who' }, `${user.username} · ${user.departmentName ?? ''}`),
    languages,
    el('button', { type: 'button', 'data-testid': 'logout', onclick: () => { auth.clear(); location.hash = '#/login'; } }, t('common.logout')),
  );
}
