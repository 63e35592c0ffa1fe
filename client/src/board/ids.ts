import type { BoardAuthor } from '../../../server/contract/board.ts';

let counter = 0;

/**
 * A new item or page id: unique across participants and reloads, at most 64 characters of
 * [A-Za-z0-9_-], e.g. `t3f9a2c-m1x2y3z4-7k2`: role initial and the tail of the author's id,
 * the time in base 36, and a per-tab counter with two random characters (two tabs of the
 * same teacher may draw in the same millisecond).
 */
export function newId(me: BoardAuthor, now: number = Date.now(), random: () => number = Math.random): string {
  counter = (counter + 1) % 1_000_000;
  const who = me.refId.replace(/[^A-Za-z0-9_-]/g, '').slice(-6);
  const salt = Math.floor(random() * 36 * 36)
    .toString(36)
    .padStart(2, '0');
  return `${me.role[0]}${who}-${now.toString(36)}-${counter.toString(36)}${salt}`;
}
