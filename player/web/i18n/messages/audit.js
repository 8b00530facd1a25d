// The audit pages: trail search, CSV export, who watched, department access.
export default {
  'zh-CN': {
    title: '审计记录', search: '查询', usernamePlaceholder: '用户名', anyDepartment: '全部单位', actionPlaceholder: '操作代码，如 access.* 或 play.start',
    targetPlaceholder: '对象编号（摄像机、授权…）', anyResult: '全部结果', older: '更早的记录',
    colWhen: '时间', colUser: '用户', colDepartment: '单位', colAction: '操作', colTarget: '对象', colResult: '结果', colDetails: '理由 / 详情',
    colProtocol: '播放方式', colStarted: '开始', colStopped: '结束',
    noEvents: '没有符合条件的记录。', shown: '显示 {count} 条记录', exported: '已导出 CSV（导出本身也记入审计）。',
    field_username: '用户', field_departmentId: '单位', field_action: '操作', field_targetId: '对象编号', field_result: '结果', field_from: '起', field_to: '止',
    camera: '摄像机', whoWatchedButton: '查询观看人员', pickCamera: '请选择摄像机。', nobodyWatched: '该时间段内无人观看。', noStop: '未记录结束',
    sessions: '{count} 次观看。', whoWatched: '谁看过某台摄像机', month: '月份', showAccess: '查询访问情况', noAccess: '该月没有访问摄像机的记录。',
    owner: '所属单位', count: '次数', users: '人数', first: '最早', last: '最晚', rows: '{from} 至 {to}：{count} 行。', departmentAccess: '单位访问情况',
  },
  en: {
    title: 'Audit trail', search: 'Search', usernamePlaceholder: 'user name', anyDepartment: 'any department', actionPlaceholder: 'action, e.g. access.* or play.start',
    targetPlaceholder: 'target id (camera, grant…)', anyResult: 'any result', older: 'Older events',
    colWhen: 'When', colUser: 'User', colDepartment: 'Department', colAction: 'Action', colTarget: 'Target', colResult: 'Result', colDetails: 'Reason / details',
    colProtocol: 'Protocol', colStarted: 'Started', colStopped: 'Stopped',
    noEvents: 'No matching events.', shown: '{count} events shown', exported: 'CSV exported (the export itself is recorded in the trail).',
    field_username: 'User', field_departmentId: 'Department', field_action: 'Action', field_targetId: 'Target id', field_result: 'Result', field_from: 'From', field_to: 'To',
    camera: 'Camera', whoWatchedButton: 'Who watched', pickCamera: 'Pick a camera.', nobodyWatched: 'Nobody watched in that range.', noStop: 'no stop recorded',
    sessions: '{count} viewing sessions.', whoWatched: 'Who watched a camera', month: 'Month', showAccess: 'Show access', noAccess: 'No camera access in that month.',
    owner: 'Owner', count: 'Count', users: 'Users', first: 'First', last: 'Last', rows: '{from} → {to}: {count} rows.', departmentAccess: 'Department access',
  },
};
