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
