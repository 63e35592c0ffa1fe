import { messages } from '../i18n.ts';

/** The research session's board words (网络教研), Chinese and English. */
export const m = messages({
  board: ['共享白板', 'Shared board'],
  boardHint: ['进入教研后显示共享白板与课件', 'The shared board and courseware appear once you join'],
  penLead: [
    '领衔人书写中；点选老师的“授笔”让其书写',
    'The leading teacher writes; tap “Give pen” on a teacher to let them write',
  ],
  penMine: ['你持有画笔，可以在白板上书写', 'You hold the pen: you can write on the board'],
  penNone: ['仅领衔人可书写', 'Only the leading teacher writes'],
  penOther: ['{name} 持有画笔', '{name} holds the pen'],
  givePen: ['授笔', 'Give pen'],
  takePen: ['收笔', 'Take pen'],
  ended: ['教研活动已结束，白板只读', 'The session has ended; the board is read-only'],
});
