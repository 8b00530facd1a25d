// The menu (player/web/nav.js): one key per entry id.
export default {
  'zh-CN': {
    cameras: '摄像机',
    wall: '视频墙',
    checkpoint: '卡口过车',
    watchlists: '布控与告警',
    crowd: '人群密度',
    requests: '我的申请',
    approvals: '审批',
    grants: '授权',
    notifications: '通知',
    audit: '审计',
    dashboard: '共享统计',
  },
  en: {
    cameras: 'Cameras',
    wall: 'Video wall',
    checkpoint: 'Checkpoint',
    watchlists: 'Watchlists & alerts',
    crowd: 'Crowd',
    requests: 'My requests',
    approvals: 'Approvals',
    grants: 'Grants',
    notifications: 'Notifications',
    audit: 'Audit',
    dashboard: 'Dashboard',
  },
};
