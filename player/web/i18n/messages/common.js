// Words every page shares.
export default {
  'zh-CN': {
    appName: '视频资源共享平台',
    loading: '加载中…',
    logout: '退出登录',
    language: '语言',
  },
  en: {
    appName: 'Camera sharing hub',
    loading: 'Loading…',
    logout: 'Log out',
    language: 'Language',
  },
};
