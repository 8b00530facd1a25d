import { t } from './i18n/i18n.js';

// Tiny DOM helpers: elements are built with textContent, never innerHTML, so API data cannot inject markup.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  // Children may be nested arrays to any depth (a map() inside a map()); flat(Infinity) keeps every node.
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

/** The "no access" box with a link to the request form. */
export function noAccessMessage(camera, detail) {
  return el('div', { class: 'notice denied', 'data-testid': 'no-access' },
    el('strong', { text: t('common.noAccessTitle') }),
    el('p', { text: detail ?? t('common.noAccessDetail', { camera: camera?.name ?? t('common.thisCamera') }) }),
    camera ? el('a', { href: `#/request/${encodeURIComponent(camera.id)}`, 'data-testid': 'request-access' }, t('common.requestAccess')) : null);
}
