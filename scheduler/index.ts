/**
 * Timetable logic: pure TypeScript, no I/O, deterministic. Imports neither express,
 * socket.io nor mongoose.
 */
export { pickCurrentLesson } from './currentLesson.ts';
export type { CurrentLessonOptions, DatedLesson } from './currentLesson.ts';
