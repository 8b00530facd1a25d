import { api } from '../api.js';
import { el } from '../dom.js';
import { formatDateTime, t } from '../i18n/i18n.js';

/**
 * The link to the upstream 视图库 (GA/T 1400 cascade) on the dashboard, for admins and auditors (others get
 * 403 from the API and see nothing); nothing either when no upstream is configured.
 */
export async function renderUpstreamPanel(root) {
  let link;
  try {
    link = await api('/api/v1/viid/upstream');
  } catch {
    return;
  }
  if (!link.configured) return;
  const row = (key, value) => el('tr', {}, el('th', {}, t(`viid.${key}`)), el('td', { 'data-testid': `upstream-${key}` }, value === null || value === undefined ? '—' : String(value)));
  root.append(el('section', { class: 'upstream-panel', 'data-testid': 'viid-upstream' },
    el('h2', {}, t('viid.upstreamTitle')),
    el('table', { class: 'kv' },
      row('state', t(`viid.state.${link.state}`)),
      row('upstream', link.url), row('upstreamId', link.upstreamId), row('ourId', link.ourId),
      row('registeredAt', link.registeredAt && formatDateTime(link.registeredAt)),
      row('lastKeepaliveAt', link.lastKeepaliveAt && formatDateTime(link.lastKeepaliveAt)),
      row('registrations', link.registrations), row('failures', link.failures),
      row('lastError', link.lastError), row('nextAttemptAt', link.nextAttemptAt && formatDateTime(link.nextAttemptAt)))));
}
