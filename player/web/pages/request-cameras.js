import { api, auth } from '../api.js';
import { el } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { accessRequestForm, targetsByOwner } from './access-request-form.js';

const MAX_CAMERAS = 200;

/** #/request-cameras?ids=a,b,c: one access request per owner department for the cameras picked in the catalogue. */
export async function renderRequestCameras(root, { query, signal }) {
  const ids = [...new Set((query.get('ids') ?? '').split(',').filter(Boolean))].slice(0, MAX_CAMERAS);
  const cameras = (await Promise.all(ids.map((id) => api(`/api/v1/cameras/${encodeURIComponent(id)}`, { signal }).catch(() => null)))).filter(Boolean);
  const targets = targetsByOwner(cameras.filter((c) => !c.access.live), auth.user, 'cameras');
  root.append(el('div', { class: 'toolbar' }, el('h1', {}, t('catalogue.request.pageTitle', { count: cameras.length })), el('a', { href: '#/cameras' }, t('catalogue.backToList'))));
  if (cameras.length < ids.length) root.append(el('p', { class: 'notice' }, t('catalogue.request.missing', { count: ids.length - cameras.length })));
  root.append(accessRequestForm(targets, { title: targets.length > 1 ? t('catalogue.request.perOwner', { count: targets.length }) : t('catalogue.request.title') }));
}
