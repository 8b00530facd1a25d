import type { DepartmentCount, SharingFigures } from './sharing-figures.ts';

const escapeLabel = (value: string) => value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');

/** Prometheus text exposition format (version 0.0.4) of one or more gauges. */
class MetricsText {
  private readonly lines: string[] = [];

  gauge(name: string, help: string, samples: Array<{ labels?: Record<string, string>; value: number }>): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const sample of samples) {
      const labels = Object.entries(sample.labels ?? {}).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
      this.lines.push(`${name}${labels ? `{${labels}}` : ''} ${Number.isFinite(sample.value) ? sample.value : 0}`);
    }
    return this;
  }

  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

const perDepartment = (rows: DepartmentCount[], extra: Record<string, string> = {}) =>
  rows.map((row) => ({ labels: { department_id: row.departmentId, department: row.departmentName, ...extra }, value: row.count }));

/** The sharing figures as Prometheus gauges (views: over the window the figures were computed for). */
export function sharingMetrics(figures: SharingFigures): string {
  return new MetricsText()
    .gauge('hub_government_cameras', 'Cameras of government departments', [{ value: figures.governmentCameras.total }])
    .gauge('hub_government_cameras_shared', 'Government cameras covered by an active grant to another department', [{ value: figures.governmentCameras.shared }])
    .gauge('hub_government_camera_share_ratio', 'Shared / government cameras', [{ value: figures.governmentCameras.share }])
    .gauge('hub_community_cameras_registered', 'Community cameras registered in the hub', [{ value: figures.communityCameras.registered }])
    .gauge('hub_community_cameras_integrated', 'Community cameras registered and online', [{ value: figures.communityCameras.integrated }])
    .gauge('hub_community_camera_integration_ratio', 'Integrated / planned community cameras', [{ value: figures.communityCameras.share }])
    .gauge('hub_cameras', 'Cameras registered', [{ value: figures.cameras.total }])
    .gauge('hub_cameras_online', 'Cameras online now', [{ value: figures.cameras.online }])
    .gauge('hub_active_grants', 'Active grants by department and side', [
      ...perDepartment(figures.activeGrants.byGrantee, { side: 'grantee' }), ...perDepartment(figures.activeGrants.byOwner, { side: 'owner' }),
    ])
    .gauge('hub_pending_access_requests', 'Pending access requests by owner department', perDepartment(figures.pendingRequests.byOwner))
    .gauge('hub_pending_access_request_oldest_age_seconds', 'Age of the oldest pending request by owner department',
      figures.pendingRequests.byOwner.map((row) => ({ labels: { department_id: row.departmentId, department: row.departmentName }, value: Math.round(row.oldestAgeMs / 1000) })))
    .gauge('hub_camera_views', 'Live views started (play.start) in the last 30 days by viewer department', perDepartment(figures.views.byDepartment))
    .toString();
}
