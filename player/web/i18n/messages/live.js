// Watching one camera (live page, player status, access ending) and asking for access to it.
export default {
  'zh-CN': {
    starting: '正在启动…', connecting: '正在连接 · {protocol}…', playing: '播放中 · {protocol}', stoppedBecause: '已停止：{reason}', reconnecting: '连接中断，正在重新连接…',
    hlsError: 'HLS 播放出错：{detail}', flvError: '{protocol} 播放出错（{detail}），改用 HLS', crowd: '人群密度',
    snapshot: '截图', snapshotFailed: '截图失败：{error}', ptzFailed: '云台控制失败：{error}',
    ptz_up: '向上', ptz_down: '向下', ptz_left: '向左', ptz_right: '向右', ptz_zoomIn: '放大', ptz_zoomOut: '缩小', ptz_stop: '停止',
    stoppedRevoked: '已停止：权限被撤销', stoppedExpired: '已停止：权限已到期', accessRevoked: '权限已被撤销。', accessExpired: '权限已到期。',
    revokedDetail: '所属单位撤销了本单位观看“{camera}”的权限，实时画面已停止。', expiredDetail: '本单位观看“{camera}”的授权已结束。',
    requestAgain: '重新申请权限',
    requestTitle: '申请访问 {camera}', owner: '所属单位：{department}', scopes: '申请的权限', purpose: '用途', legalBasis: '法律依据',
    hours: '申请时长（小时）', send: '提交申请', sent: '申请已提交（{status}），等待所属单位审批。', notSent: '申请未能提交：{error}',
  },
  en: {
    starting: 'starting…', connecting: 'connecting ({protocol})…', playing: 'playing ({protocol})', stoppedBecause: 'stopped: {reason}', reconnecting: 'connection lost; reconnecting…',
    hlsError: 'HLS error: {detail}', flvError: '{protocol} error ({detail}); switching to HLS', crowd: 'Crowd',
    snapshot: 'Snapshot', snapshotFailed: 'snapshot: {error}', ptzFailed: 'PTZ: {error}',
    ptz_up: 'up', ptz_down: 'down', ptz_left: 'left', ptz_right: 'right', ptz_zoomIn: 'zoom in', ptz_zoomOut: 'zoom out', ptz_stop: 'stop',
    stoppedRevoked: 'stopped: access revoked', stoppedExpired: 'stopped: access expired', accessRevoked: 'Access revoked.', accessExpired: 'Access expired.',
    revokedDetail: 'The owner department revoked your department\'s access to "{camera}". The live view was stopped.', expiredDetail: 'The grant that let your department watch "{camera}" has ended.',
    requestAgain: 'Request access again',
    requestTitle: 'Request access to {camera}', owner: 'Owner: {department}', scopes: 'Scopes', purpose: 'Purpose', legalBasis: 'Legal basis',
    hours: 'For how many hours', send: 'Send request', sent: 'Request sent ({status}). The owner department will decide.', notSent: 'Could not send the request: {error}',
  },
};
