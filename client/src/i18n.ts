import type { ErrorCode } from '../../server/contract/errors.ts';
import { defaultBellsName, SYSTEM_ADMIN_NAME } from '../../server/contract/names.ts';
import type { Lang, Text } from '../../server/contract/text.ts';

/** Interface language: Simplified Chinese by default, English on request (kept in localStorage). */
export type { Lang, Text };

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
  setOwnPassword: '请设置您自己的密码',
  setOwnPasswordHint: '您使用的是管理员发放的一次性密码。请设置一个只有您知道的新密码（至少 8 位）。',
  newPassword: '新密码',
  repeatPassword: '再次输入新密码',
  savePassword: '保存并登录',
  passwordsDiffer: '两次输入的密码不一致',
  demoLocalOnly: '演示账号只能在运行平台的本机登录',
  enrolDevice: '注册本教室设备',
  enrolHint: '输入联校群管理员生成的 8 位设备注册码，本设备将保持登录。',
  enrolCode: '设备注册码',
  enrol: '注册',
  enrolInvalid: '注册码无效或已过期',
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
  layerHigh: '高清',
  layerMid: '标清',
  layerLow: '流畅',
  layerPaused: '仅声音',
  available: '可用',
  reconnecting: '正在重新连接…',
  cameraError: '无法打开摄像头或麦克风',
  welcome: '欢迎',
  roleHint: '此账号的管理页面将在后续版本提供。',
  grade: '年级',
  language: 'EN',
  down: '下行',
  up: '上行',
  // --- classroom interaction (studio, kiosk) ---
  givePen: '授笔',
  takePen: '收笔',
  giveFloor: '请发言',
  endFloor: '结束发言',
  muteRoom: '静音',
  unmuteRoom: '取消静音',
  spotlight: '聚焦',
  unspotlight: '取消聚焦',
  hands: '举手',
  noHands: '暂无举手',
  raiseHand: '举手',
  lowerHand: '放下手',
  handUp: '已举手',
  hasPen: '持笔',
  hasFloor: '发言中',
  mutedByTeacher: '老师已将本教室静音',
  youHaveFloor: '本教室正在发言，所有课堂都能听到',
  speaking: '正在发言',
  replayTitle: '白板回放',
  replayLink: '白板回放',
  replayPlay: '播放',
  replayPause: '暂停',
  replayEmpty: '这节课的白板上没有内容',
  replayGapNote: '超过 5 秒的停顿按 5 秒播放',
  // --- end of classroom interaction ---
  // --- lesson board (client/src/board) ---
  boardTools: '画板工具',
  boardSurface: '画板',
  boardPen: '画笔',
  boardHighlighter: '荧光笔',
  boardEraser: '橡皮擦',
  boardLine: '直线',
  boardRect: '矩形',
  boardEllipse: '椭圆',
  boardText: '文字',
  boardLaser: '激光笔',
  boardUndo: '撤销',
  boardRedo: '重做',
  boardClear: '清屏',
  boardClearAsk: '清除本页的所有内容？',
  boardClearYes: '确认清除',
  boardCancel: '取消',
  boardColors: '颜色',
  boardWidths: '粗细',
  boardBlack: '黑色',
  boardRed: '红色',
  boardBlue: '蓝色',
  boardGreen: '绿色',
  boardOrange: '橙色',
  boardThin: '细',
  boardMedium: '中',
  boardThick: '粗',
  pagePrev: '上一页',
  pageNext: '下一页',
  boardAddPage: '加页',
  boardPageOf: '第 {n} / {m} 页',
  boardImport: '导入课件',
  boardImporting: '正在导入第 {n} / {m} 页',
  boardImportCancel: '取消导入',
  boardImportCancelled: '已取消导入',
  boardImportFailed: '导入失败：{reason}',
  boardPdfEncrypted: '该 PDF 已加密，请先去除密码再导入',
  boardPdfBroken: '文件已损坏或不是有效的 PDF',
  boardImageBroken: '无法读取该图片',
  boardUnsupported: '不支持的文件类型，请选择 PDF、PNG、JPEG 或 WebP',
  boardTooManyPages: '超过页数上限（最多 {max} 页）',
  boardReadOnly: '老师掌笔中',
  boardCanWrite: '本教室可以书写',
  boardRefused: '未能完成：{reason}',
  boardTextHint: '输入文字，按回车确认',
  boardTeacherName: '老师',
  boardClassroomName: '教室',
  boardNoPen: '本教室现在没有书写权限',
  boardTeacherOnly: '只有老师可以这样做',
  boardStrokeTooLong: '笔画太长',
  // --- end of lesson board ---
  // --- recording and library ---
  library: '资源库',
  inspection: '巡课',
  wallCounty: '区县',
  wallSubject: '学科',
  wallSchool: '学校',
  wallAllCounties: '全部区县',
  wallAllSubjects: '全部学科',
  wallAllSchools: '全部学校',
  gridPage: '第 {page}/{pages} 页',
  wallSummary: '正在上课 {n} 节 · 第 {page}/{pages} 页 · {at} 更新',
  wallEmpty: '当前没有正在上课的课堂',
  wallOpen: '进入巡课',
  wallBack: '返回巡课墙',
  wallJoining: '正在连接…',
  wallWaiting: '等待教师画面…',
  wallConnected: '接收课堂 {n}/{m} 在线',
  wallAttendance: '在线 {min} 分 · 到课 {count}/{size} 人',
  watchWatching: '正在巡课（静默观看，课堂不受影响）',
  watchScreen: '共享屏幕',
  notesTitle: '巡课记录',
  notePlaceholder: '记录所见（自动标注课堂时间）',
  noteAdd: '记录',
  noteAt: '第 {clock}',
  inspectedNow: '巡课中',
  wallNotice: '本区县课堂端显示“巡课中”',
  wallNoticeFrom: '（沿用 {code} 的设置）',
  libraryLink: '资源库',
  recordingNow: '录制中',
  recordingOff: '未录制',
  recordingTurnOff: '关闭录制',
  recordingTurnOn: '开始录制',
  recordingClusterOff: '本联校群已关闭录制',
  recState_recording: '录制中',
  recState_composing: '合成中',
  recState_ready: '可播放',
  recState_failed: '合成失败',
  recState_off: '未录制',
  recIncomplete: '不完整',
  recGaps: '缺失 {n} 段',
  recGapReason_recorder_died: '录制进程中断后已重启',
  recGapReason_recorder_failed: '录制进程多次中断',
  recGapReason_media_moved: '媒体节点切换',
  recGapReason_switched_off: '老师关闭了录制',
  recGapReason_over_quota: '存储空间已满，停止录制',
  recStoppedReason_over_quota: '联校群存储空间已满，录制已停止',
  recOffReason_over_quota: '联校群存储空间已满，本节课未录制',
  recOffReason_cluster_off: '本联校群已关闭录制',
  recOffReason_switched_off: '老师关闭了录制',
  recordingOverQuota: '未录制：存储空间已满',
  libShared: '已共享到区域',
  libShare: '共享到区域',
  libUnshare: '取消共享',
  libFilterSubject: '学科',
  libFilterGrade: '年级',
  libFilterTeacher: '教师',
  libFilterCluster: '联校群',
  libFilterSchool: '学校',
  libFilterFrom: '从',
  libFilterTo: '到',
  libFilterAll: '全部',
  libSearch: '搜索课题',
  libEmpty: '没有符合条件的录像',
  libTruncated: '只显示最新的 200 条，请缩小筛选范围',
  libPlay: '播放',
  libDownload: '下载 MP4',
  libDelete: '删除',
  libDeleteConfirm: '删除这节课的录像？此操作会记入审计日志，无法撤销。',
  libRetry: '重新合成',
  libFailedWhy: '合成失败：',
  libBack: '返回资源库',
  libStorage: '存储空间',
  libStorageUsed: '已用',
  libQuotaGb: '配额（GB）',
  libRetentionDays: '保留天数',
  libRecordingOn: '录制课程',
  libSave: '保存',
  libSaved: '已保存',
  libOverQuota: '超出配额',
  libChapters: '章节',
  libSpeed: '倍速',
  libBoard: '白板',
  libNotReady: '录像还不能播放：',
  libComposeSpeed: '合成速度 {x}× 实时',
  libDuration: '时长',
  libSize: '大小',
  libGrade: '{n} 年级',
  evalTitle: '听课评课',
  evalMine: '我的评课反馈',
  evalInvited: '邀请我评的课',
  evalMyOwn: '我做的评课',
  evalInScope: '辖区内的评课',
  evalSummary: '评课汇总',
  evalBy: '汇总方式',
  evalByTeacher: '按教师',
  evalByCluster: '按联校群',
  evalByRegion: '按地区',
  evalExport: '导出 Excel',
  evalCount: '评课次数',
  evalMean: '平均总分',
  evalRubric: '评价量表',
  evalLive: '现场听课',
  evalRecording: '看录像评课',
  evalScore: '评分',
  evalComment: '评语',
  evalAddComment: '添加评语（标记此刻）',
  evalAt: '时间点',
  evalSummaryText: '总体评价',
  evalSaveDraft: '保存草稿',
  evalSubmit: '提交评课',
  evalSaved: '已保存',
  evalSubmitted: '已提交',
  evalDraft: '草稿',
  evalInvitedState: '待评',
  evalTotal: '总分',
  evalNone: '暂无评课',
  evalEvaluator: '评课人',
  evalLesson: '课程',
  evalOpen: '去评课',
  evalJump: '到录像此处',
  evalNoRubric: '本地区还没有评价量表',
  evalWeight: '权重 {n}',
  evalEvaluateLink: '评课',
  evalBack: '返回',
  evalInvite: '邀请教师评课',
  evalTeacher: '授课教师',
  researchTitle: '网络教研',
  researchAlliances: '教研联盟',
  researchSessions: '教研活动',
  researchLead: '领衔人',
  researchMembers: '成员 {n} 人',
  researchJoin: '进入教研',
  researchEnd: '结束教研',
  researchJoined: '已加入 {n} / {m} 人',
  researchNone: '暂无教研活动',
  researchNoAlliance: '还没有加入教研联盟',
  researchScheduled: '未开始',
  researchLiveState: '进行中',
  researchEnded: '已结束',
  researchAgenda: '议程',
  researchParticipants: '参与教师',
  researchWaiting: '未进入',
  researchIn: '已进入',
  researchStage_primary: '小学',
  researchStage_junior: '初中',
  researchStage_senior: '高中',
  level_province: '省级',
  level_city: '市级',
  level_county: '县级',
  researchFigures: '网络教研',
  researchAllianceTarget: '{level}联盟 {n} / 目标 {m}',
  researchHeld: '已开展教研活动',
  researchRuralShare: '农村教师参与率',
  researchRuralOf: '{n} / {m} 名农村教师',
  headcountPresent: '实到人数',
  headcountConfirmed: '已确认',
  headcountConfirm: '确认',
  systemAdmin: '系统管理员',
  bellsOf: '{school}作息',
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
  setOwnPassword: 'Set your own password',
  setOwnPasswordHint:
    'You signed in with a one-time password from your administrator. Choose a new one only you know (8 characters or more).',
  newPassword: 'New password',
  repeatPassword: 'New password again',
  savePassword: 'Save and sign in',
  passwordsDiffer: 'The two passwords differ',
  demoLocalOnly: 'Demo accounts sign in only on the machine running the platform',
  enrolDevice: 'Enrol this classroom device',
  enrolHint:
    'Type the 8-character code your cluster coordinator generated; this device then stays signed in.',
  enrolCode: 'Enrolment code',
  enrol: 'Enrol',
  enrolInvalid: 'Unknown or expired code',
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
  layerHigh: 'HD',
  layerMid: 'SD',
  layerLow: 'Low',
  layerPaused: 'Audio only',
  available: 'available',
  reconnecting: 'Reconnecting…',
  cameraError: 'Cannot open the camera or microphone',
  welcome: 'Welcome',
  roleHint: 'Pages for this account arrive in a later version.',
  grade: 'Grade',
  language: '中文',
  down: 'down',
  up: 'up',
  // --- classroom interaction (studio, kiosk) ---
  givePen: 'Give pen',
  takePen: 'Take pen back',
  giveFloor: 'Give floor',
  endFloor: 'End floor',
  muteRoom: 'Mute',
  unmuteRoom: 'Unmute',
  spotlight: 'Spotlight',
  unspotlight: 'End spotlight',
  hands: 'Hands',
  noHands: 'No raised hands',
  raiseHand: 'Raise hand',
  lowerHand: 'Lower hand',
  handUp: 'Hand raised',
  hasPen: 'Has pen',
  hasFloor: 'Has floor',
  mutedByTeacher: 'The teacher muted this classroom',
  youHaveFloor: 'This classroom has the floor: every classroom hears it',
  speaking: 'Speaking',
  replayTitle: 'Board replay',
  replayLink: 'Board replay',
  replayPlay: 'Play',
  replayPause: 'Pause',
  replayEmpty: 'Nothing was written on this lesson’s board',
  replayGapNote: 'Pauses longer than 5 s play as 5 s',
  // --- end of classroom interaction ---
  // --- lesson board (client/src/board) ---
  boardTools: 'Board tools',
  boardSurface: 'Board',
  boardPen: 'Pen',
  boardHighlighter: 'Highlighter',
  boardEraser: 'Eraser',
  boardLine: 'Line',
  boardRect: 'Rectangle',
  boardEllipse: 'Ellipse',
  boardText: 'Text',
  boardLaser: 'Laser',
  boardUndo: 'Undo',
  boardRedo: 'Redo',
  boardClear: 'Clear',
  boardClearAsk: 'Clear everything on this page?',
  boardClearYes: 'Clear page',
  boardCancel: 'Cancel',
  boardColors: 'Colour',
  boardWidths: 'Width',
  boardBlack: 'Black',
  boardRed: 'Red',
  boardBlue: 'Blue',
  boardGreen: 'Green',
  boardOrange: 'Orange',
  boardThin: 'Thin',
  boardMedium: 'Medium',
  boardThick: 'Thick',
  pagePrev: 'Previous',
  pageNext: 'Next',
  boardAddPage: 'Add page',
  boardPageOf: 'Page {n} / {m}',
  boardImport: 'Import courseware',
  boardImporting: 'Importing page {n} / {m}',
  boardImportCancel: 'Cancel import',
  boardImportCancelled: 'Import cancelled',
  boardImportFailed: 'Import failed: {reason}',
  boardPdfEncrypted: 'This PDF is password-protected; remove the password first',
  boardPdfBroken: 'The file is damaged or not a valid PDF',
  boardImageBroken: 'Cannot read this image',
  boardUnsupported: 'Unsupported file: choose a PDF, PNG, JPEG or WebP',
  boardTooManyPages: 'Too many pages (at most {max})',
  boardReadOnly: 'The teacher holds the pen',
  boardCanWrite: 'This classroom may write',
  boardRefused: 'Not done: {reason}',
  boardTextHint: 'Type, then press Enter',
  boardTeacherName: 'Teacher',
  boardClassroomName: 'Classroom',
  boardNoPen: 'This classroom does not hold the pen now',
  boardTeacherOnly: 'Only the teacher can do this',
  boardStrokeTooLong: 'The stroke is too long',
  // --- end of lesson board ---
  // --- recording and library ---
  library: 'Library',
  inspection: 'Live inspection',
  wallCounty: 'County',
  wallSubject: 'Subject',
  wallSchool: 'School',
  wallAllCounties: 'All counties',
  wallAllSubjects: 'All subjects',
  wallAllSchools: 'All schools',
  gridPage: 'Page {page} of {pages}',
  wallSummary: '{n} lessons live · page {page}/{pages} · updated {at}',
  wallEmpty: 'No lesson is live now',
  wallOpen: 'Watch',
  wallBack: 'Back to the wall',
  wallJoining: 'Connecting…',
  wallWaiting: 'Waiting for the teacher’s picture…',
  wallConnected: '{n}/{m} classrooms online',
  wallAttendance: 'online {min} min · present {count}/{size}',
  watchWatching: 'Watching silently (the lesson is not affected)',
  watchScreen: 'Shared screen',
  notesTitle: 'Inspection notes',
  notePlaceholder: 'What you see (stamped with the lesson’s clock)',
  noteAdd: 'Note',
  noteAt: 'at {clock}',
  inspectedNow: 'Being inspected',
  wallNotice: 'Classrooms of this county see “being inspected”',
  wallNoticeFrom: '(following {code})',
  libraryLink: 'Library',
  recordingNow: 'Recording',
  recordingOff: 'Not recorded',
  recordingTurnOff: 'Stop recording',
  recordingTurnOn: 'Record',
  recordingClusterOff: 'Recording is off for this cluster',
  recState_recording: 'Recording',
  recState_composing: 'Composing',
  recState_ready: 'Ready',
  recState_failed: 'Composition failed',
  recState_off: 'Not recorded',
  recIncomplete: 'Incomplete',
  recGaps: '{n} gap(s)',
  recGapReason_recorder_died: 'Recorder restarted after it stopped',
  recGapReason_recorder_failed: 'Recorder kept stopping',
  recGapReason_media_moved: 'Media moved to another node',
  recGapReason_switched_off: 'The teacher turned recording off',
  recGapReason_over_quota: 'Storage full: recording stopped',
  recStoppedReason_over_quota: 'The cluster’s storage is full: recording stopped',
  recOffReason_over_quota: 'Not recorded: the cluster is over its storage quota',
  recOffReason_cluster_off: 'Recording is off for this cluster',
  recOffReason_switched_off: 'The teacher turned recording off',
  recordingOverQuota: 'Not recorded: storage full',
  libShared: 'Shared with the region',
  libShare: 'Share with the region',
  libUnshare: 'Stop sharing',
  libFilterSubject: 'Subject',
  libFilterGrade: 'Grade',
  libFilterTeacher: 'Teacher',
  libFilterCluster: 'Cluster',
  libFilterSchool: 'School',
  libFilterFrom: 'From',
  libFilterTo: 'To',
  libFilterAll: 'All',
  libSearch: 'Search titles',
  libEmpty: 'No recordings match',
  libTruncated: 'Showing the newest 200; narrow the filters',
  libPlay: 'Play',
  libDownload: 'Download MP4',
  libDelete: 'Delete',
  libDeleteConfirm: 'Delete this lesson’s recording? This is audited and cannot be undone.',
  libRetry: 'Compose again',
  libFailedWhy: 'Composition failed: ',
  libBack: 'Back to the library',
  libStorage: 'Storage',
  libStorageUsed: 'Used',
  libQuotaGb: 'Quota (GB)',
  libRetentionDays: 'Keep (days)',
  libRecordingOn: 'Record lessons',
  libSave: 'Save',
  libSaved: 'Saved',
  libOverQuota: 'Over quota',
  libChapters: 'Chapters',
  libSpeed: 'Speed',
  libBoard: 'Board',
  libNotReady: 'The video cannot be played yet: ',
  libComposeSpeed: 'Composed at {x}× real time',
  libDuration: 'Length',
  libSize: 'Size',
  libGrade: 'Grade {n}',
  evalTitle: 'Lesson evaluation',
  evalMine: 'Feedback on my lessons',
  evalInvited: 'Lessons I am invited to evaluate',
  evalMyOwn: 'My evaluations',
  evalInScope: 'Evaluations in my scope',
  evalSummary: 'Summary',
  evalBy: 'Group by',
  evalByTeacher: 'By teacher',
  evalByCluster: 'By cluster',
  evalByRegion: 'By region',
  evalExport: 'Export to Excel',
  evalCount: 'Evaluations',
  evalMean: 'Mean total',
  evalRubric: 'Rubric',
  evalLive: 'Live observation',
  evalRecording: 'On the recording',
  evalScore: 'Score',
  evalComment: 'Comment',
  evalAddComment: 'Add comment (marks this moment)',
  evalAt: 'At',
  evalSummaryText: 'Overall',
  evalSaveDraft: 'Save draft',
  evalSubmit: 'Submit',
  evalSaved: 'Saved',
  evalSubmitted: 'Submitted',
  evalDraft: 'Draft',
  evalInvitedState: 'Invited',
  evalTotal: 'Total',
  evalNone: 'No evaluations yet',
  evalEvaluator: 'Evaluator',
  evalLesson: 'Lesson',
  evalOpen: 'Evaluate',
  evalJump: 'Jump to this moment',
  evalNoRubric: 'No rubric for this region yet',
  evalWeight: 'weight {n}',
  evalEvaluateLink: 'Evaluate',
  evalBack: 'Back',
  evalInvite: 'Invite a teacher',
  evalTeacher: 'Teacher',
  researchTitle: 'Online research',
  researchAlliances: 'Research alliances',
  researchSessions: 'Research sessions',
  researchLead: 'Leading teacher',
  researchMembers: '{n} members',
  researchJoin: 'Join',
  researchEnd: 'End session',
  researchJoined: '{n} / {m} joined',
  researchNone: 'No research sessions',
  researchNoAlliance: 'Not in a research alliance yet',
  researchScheduled: 'Scheduled',
  researchLiveState: 'Live',
  researchEnded: 'Ended',
  researchAgenda: 'Agenda',
  researchParticipants: 'Participants',
  researchWaiting: 'Not joined',
  researchIn: 'Joined',
  researchStage_primary: 'Primary',
  researchStage_junior: 'Junior secondary',
  researchStage_senior: 'Senior secondary',
  level_province: 'Province',
  level_city: 'City',
  level_county: 'County',
  researchFigures: 'Online research',
  researchAllianceTarget: '{level} alliances {n} / target {m}',
  researchHeld: 'Research sessions held',
  researchRuralShare: 'Rural teachers taking part',
  researchRuralOf: '{n} of {m} rural teachers',
  headcountPresent: 'Present',
  headcountConfirmed: 'Confirmed',
  headcountConfirm: 'Confirm',
  systemAdmin: 'Administrator',
  bellsOf: '{school} bell schedule',
};

const STORAGE_KEY = 'sc.lang';
let current: Lang = localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
const listeners = new Set<() => void>();

export function lang(): Lang {
  return current;
}

/** The BCP 47 locale of the interface language, for `Intl` formatting. */
export function locale(): 'zh-CN' | 'en-GB' {
  return current === 'en' ? 'en-GB' : 'zh-CN';
}

/** Values for a message's `{name}` placeholders. */
export type MessageVars = Readonly<Record<string, string | number>>;

/** `text` with its `{name}` placeholders filled from `vars` (unknown names left as they are). */
function fill(text: string, vars?: MessageVars): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** The message in the current language, its `{name}` placeholders filled from `vars`. */
export function t(key: MessageKey, vars?: MessageVars): string {
  return fill(current === 'en' ? en[key] : zh[key], vars);
}

/**
 * A page's own message table, Chinese and English side by side, looked up like `t()` (same
 * language, same `{name}` placeholders). It lives beside the page's code so that it is loaded
 * with that page's chunk only (the kiosk does not download the management pages' words).
 */
export function messages<K extends string>(
  table: Readonly<Record<K, readonly [zh: string, en: string]>>,
): (key: K, vars?: MessageVars) => string {
  return (key, vars) => fill(table[key][current === 'en' ? 1 : 0], vars);
}

export function setLang(next: Lang): void {
  current = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = locale();
  for (const listener of listeners) listener();
}

/** Text the server wrote (a conflict, a reason, an import problem), in the interface language. */
export function localized(value: Text): string {
  return value[current];
}

/**
 * What each refusal code means for people, for a refusal the server did not word itself (its
 * `message` is then for developers, in English): shown in Chinese; English shows the message.
 */
const REFUSALS: Readonly<Record<ErrorCode, string>> = {
  INVALID_INPUT: '输入有误，请检查标出的项目',
  INVALID_ARGUMENT: '无法按此输入完成操作',
  LOGIN_REQUIRED: '请先登录',
  INVALID_TOKEN: '登录已失效，请重新登录',
  SESSION_EXPIRED: '登录已过期，请重新登录',
  SESSION_ENDED: '本次登录已结束，请重新登录',
  WRONG_PASSWORD: '用户名或密码错误',
  ENROLMENT_CODE_INVALID: '注册码无效或已过期',
  FORBIDDEN: '没有权限进行此操作',
  PASSWORD_CHANGE_REQUIRED: '请先设置您自己的密码',
  DEMO_ACCOUNT_LOCAL_ONLY: '演示账号只能在运行平台的本机登录',
  NOT_FOUND: '找不到要访问的内容（可能已删除或不在您的管理范围内）',
  METHOD_NOT_ALLOWED: '不支持此操作',
  INVALID_STATE: '当前状态下不能进行此操作',
  LESSON_NOT_LIVE: '这节课现在没有在上',
  LESSON_ELSEWHERE: '课堂正在切换服务器，请稍后重试',
  CONFLICT: '与已有数据冲突，请刷新后再试',
  STALE_PLAN: '数据在方案生成后有变动，请重新编排',
  BODY_TOO_LARGE: '提交的内容过大',
  UNSUPPORTED_MEDIA_TYPE: '不支持的文件或数据格式',
  RANGE_NOT_SATISFIABLE: '请求的文件范围无效',
  TOO_MANY_REQUESTS: '操作过于频繁，请稍后再试',
  MEDIA_NODE_UNAVAILABLE: '媒体服务器暂时不可用，请稍后重试',
  INTERNAL: '服务器出错，请稍后再试',
};

/**
 * The words of a server's refusal for people, in the interface language: its `text` when the
 * server wrote one; otherwise, in Chinese, what its `code` means (with the request id of a
 * fault, to quote to an administrator), and in English its `message`.
 */
export function refusalWords(error: {
  message: string;
  text?: Text | undefined;
  code?: ErrorCode | undefined;
  requestId?: string | undefined;
}): string {
  if (error.text) return localized(error.text);
  if (current === 'en' || !error.code) return error.message;
  return error.requestId ? `${REFUSALS[error.code]}（编号 ${error.requestId}）` : REFUSALS[error.code];
}

/** A field problem of a refused input (`issues`) for people: its `text` in the interface language, else its `message`. */
export function issueWords(issue: { message: string; text?: Text | undefined }): string {
  return issue.text ? localized(issue.text) : issue.message;
}

/**
 * A person's name as shown: as typed, except the name the platform gives the administrator
 * account it creates, which is the role's name in the interface language.
 */
export function personName(name: string): string {
  return name === SYSTEM_ADMIN_NAME ? t('systemAdmin') : name;
}

/**
 * A bell schedule's name as shown: as typed, except the name the platform gives a school's
 * schedule ("<school>作息"), worded in the interface language.
 */
export function bellsName(name: string, schoolName: string | undefined): string {
  return schoolName !== undefined && name === defaultBellsName(schoolName)
    ? t('bellsOf', { school: schoolName })
    : name;
}

/** The Chinese or the English text, by the interface language (for text not in the message table). */
export function zhEn(zh: string, en: string): string {
  return current === 'en' ? en : zh;
}

/** Calls `listener` after every language switch; returns the unsubscribe function. */
export function onLangChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * `value` (an ISO string, epoch milliseconds or a Date) formatted in the interface language by
 * `Intl.DateTimeFormat` with `options` (formatters are cached per language and options).
 */
export function formatDate(value: string | number | Date, options: Intl.DateTimeFormatOptions): string {
  const key = `${locale()}|${JSON.stringify(options)}`;
  let format = formatters.get(key);
  if (!format) formatters.set(key, (format = new Intl.DateTimeFormat(locale(), options)));
  return format.format(typeof value === 'string' || typeof value === 'number' ? new Date(value) : value);
}

/** An instant as weekday, date and time: "周四 11月26日 10:05" / "Thu 26 Nov, 10:05". */
export function dayAndTime(iso: string): string {
  return formatDate(iso, {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** An instant as a local time of day (HH:mm). */
export function timeOfDay(iso: string): string {
  return formatDate(iso, { hour: '2-digit', minute: '2-digit' });
}

/** An instant as date and time: "2026/12/7 10:05:00" / "07/12/2026, 10:05:00". */
export function dateTime(iso: string | number | Date): string {
  return formatDate(iso, { dateStyle: 'short', timeStyle: 'medium' });
}

/** A calendar date (YYYY-MM-DD) as its month and year: "2026年12月" / "December 2026". */
export function monthOfYear(date: string): string {
  return formatDate(`${date.slice(0, 10)}T00:00:00Z`, { year: 'numeric', month: 'long', timeZone: 'UTC' });
}

/** A calendar date (YYYY-MM-DD), `plus` months later, as the month's short name: "8月" / "Aug". */
export function monthName(date: string, plus = 0): string {
  const d = new Date(`${date.slice(0, 10)}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + plus, 1);
  return formatDate(d, { month: 'short', timeZone: 'UTC' });
}

/** A calendar date (YYYY-MM-DD) as its day and month: "8月3日" / "3 Aug". */
export function dayOfMonth(date: string): string {
  return formatDate(`${date.slice(0, 10)}T00:00:00Z`, { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** A calendar date (YYYY-MM-DD) as its year: "2026年" / "2026". */
export function yearOf(date: string): string {
  return formatDate(`${date.slice(0, 10)}T00:00:00Z`, { year: 'numeric', timeZone: 'UTC' });
}

/** A weekday, 1 = Monday … 7 = Sunday, as its short name: "周一" / "Mon". */
export function weekdayName(weekday: number): string {
  // 2024-01-01 was a Monday.
  return formatDate(Date.UTC(2024, 0, weekday), { weekday: 'short', timeZone: 'UTC' });
}

document.documentElement.lang = locale();
