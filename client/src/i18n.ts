/** Interface language: Simplified Chinese by default, English on request (kept in localStorage). */
export type Lang = 'zh' | 'en';

const zh = {
  appName: '同步课堂',
  loginTitle: '登录',
  username: '用户名',
  password: '密码',
  login: '登录',
  loggingIn: '正在登录…',
  logout: '退出',
  wrongPassword: '用户名或密码错误',
  tooMany: '尝试次数过多，请稍后再试',
  networkError: '网络连接失败，请检查网络',
  studio: '主讲课堂',
  manage: '联校群管理',
  classroom: '接收课堂',
  start: '开始上课',
  end: '下课',
  starting: '正在开始…',
  ending: '正在结束…',
  stateIdle: '未开始',
  stateLive: '上课中',
  stateEnded: '已下课',
  noLesson: '当前没有课程',
  nextLesson: '下一节',
  upcoming: '今天稍后的课程',
  waiting: '等待上课',
  waitingHint: '老师开始上课后，本教室会自动加入。',
  lessonEnded: '本节课已结束',
  myCamera: '本教室画面',
  teacher: '主讲教师',
  classrooms: '接收课堂',
  notConnected: '未连接',
  connecting: '连接中',
  connected: '已连接',
  disconnected: '连接中断',
  failed: '连接失败',
  fullscreen: '全屏',
  exitFullscreen: '退出全屏',
  enableSound: '点击开启声音',
  linkGood: '网络良好',
  linkConstrained: '网络受限',
  linkBad: '网络较差',
  linkOffline: '未连接',
  kbps: 'kbit/s',
  rtt: '延迟',
  loss: '丢包',
  reconnecting: '正在重新连接…',
  cameraError: '无法打开摄像头或麦克风',
  welcome: '欢迎',
  roleHint: '此账号的管理页面将在后续版本提供。',
  grade: '年级',
  language: 'EN',
  down: '下行',
  up: '上行',
} as const;

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  appName: 'Synchronized Classroom',
  loginTitle: 'Sign in',
  username: 'Username',
  password: 'Password',
  login: 'Sign in',
  loggingIn: 'Signing in…',
  logout: 'Sign out',
  wrongPassword: 'Wrong username or password',
  tooMany: 'Too many attempts, try again later',
  networkError: 'Network error, check the connection',
  studio: 'Teacher studio',
  manage: 'Cluster management',
  classroom: 'Classroom',
  start: 'Start lesson',
  end: 'End lesson',
  starting: 'Starting…',
  ending: 'Ending…',
  stateIdle: 'Not started',
  stateLive: 'Live',
  stateEnded: 'Ended',
  noLesson: 'No lesson right now',
  nextLesson: 'Next',
  upcoming: 'Later today',
  waiting: 'Waiting for the lesson',
  waitingHint: 'This classroom joins by itself when the teacher starts.',
  lessonEnded: 'The lesson has ended',
  myCamera: 'This classroom',
  teacher: 'Teacher',
  classrooms: 'Classrooms',
  notConnected: 'Not connected',
  connecting: 'Connecting',
  connected: 'Connected',
  disconnected: 'Interrupted',
  failed: 'Failed',
  fullscreen: 'Full screen',
  exitFullscreen: 'Exit full screen',
  enableSound: 'Tap to enable sound',
  linkGood: 'Good link',
  linkConstrained: 'Constrained link',
  linkBad: 'Poor link',
  linkOffline: 'Offline',
  kbps: 'kbit/s',
  rtt: 'RTT',
  loss: 'Loss',
  reconnecting: 'Reconnecting…',
  cameraError: 'Cannot open the camera or microphone',
  welcome: 'Welcome',
  roleHint: 'Pages for this account arrive in a later version.',
  grade: 'Grade',
  language: '中文',
  down: 'down',
  up: 'up',
};

const STORAGE_KEY = 'sc.lang';
let current: Lang = localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
const listeners = new Set<() => void>();

export function lang(): Lang {
  return current;
}

/** The message in the current language. */
export function t(key: MessageKey): string {
  return current === 'en' ? en[key] : zh[key];
}

export function setLang(next: Lang): void {
  current = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next === 'en' ? 'en' : 'zh-CN';
  for (const listener of listeners) listener();
}

/** Calls `listener` after every language switch; returns the unsubscribe function. */
export function onLangChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Formats an ISO instant as weekday, date and time: "周四 11月26日 10:05". */
export function dayAndTime(iso: string): string {
  return new Date(iso).toLocaleString(current === 'en' ? 'en-GB' : 'zh-CN', {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** Formats an ISO instant as a local time of day (HH:mm). */
export function timeOfDay(iso: string): string {
  return new Date(iso).toLocaleTimeString(current === 'en' ? 'en-GB' : 'zh-CN', {
    hour: '2-digit',
    minute: '2-digit',
  });
}

document.documentElement.lang = current === 'en' ? 'en' : 'zh-CN';
