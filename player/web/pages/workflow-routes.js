import { el } from '../dom.js';
import { renderApprovals } from './approvals.js';
import { renderAudit } from './audit.js';
import { renderDashboard } from './dashboard.js';
import { renderGrants } from './grants.js';
import { renderNotifications } from './notifications.js';
import { renderRequests } from './requests.js';

/** Routes of the permission workflow, audit and dashboard pages (merged into app.js's PAGES). */
export const WORKFLOW_PAGES = {
  requests: renderRequests, approvals: renderApprovals, grants: renderGrants,
  notifications: renderNotifications, audit: renderAudit, dashboard: renderDashboard,
};

// Which roles see which link. The API decides access anyway; this only keeps the menu relevant.
const LINKS = [
  ['#/requests', 'My requests', ['viewer', 'approver', 'admin']],
  ['#/approvals', 'Approvals', ['approver', 'admin']],
  ['#/grants', 'Grants', ['viewer', 'approver', 'admin', 'auditor']],
  ['#/notifications', 'Notifications', ['viewer', 'approver', 'admin', 'auditor']],
  ['#/audit', 'Audit', ['auditor', 'admin']],
  ['#/dashboard', 'Dashboard', ['viewer', 'approver', 'admin', 'auditor']],
];

export function workflowNavLinks(user) {
  return LINKS.filter(([, , roles]) => roles.includes(user.role))
    .map(([href, label]) => el('a', { href, 'data-testid': `nav-${href.slice(2)}` }, label));
}
