import { applyOp, emptyBoard } from '../contract/board.ts';
import type { BoardOp } from '../contract/board.ts';

/**
 * Chapters of a lesson's video at the board's page turns (and pages added, which turn to
 * the first of them): ms from `startMs`, titled by the page's number ("第 3 页").
 */
export function pageChapters(ops: readonly BoardOp[], startMs: number): { atMs: number; title: string }[] {
  const state = emptyBoard();
  const chapters = [{ atMs: 0, title: '第 1 页' }];
  for (const op of ops) {
    const before = state.page;
    applyOp(state, op);
    if (state.page === before) continue;
    const atMs = Math.max(0, op.at - startMs);
    const title = `第 ${state.pages.findIndex((p) => p.id === state.page) + 1} 页`;
    const last = chapters.at(-1)!;
    // Turns within a second of each other make one chapter, named after where they stopped.
    if (atMs - last.atMs < 1000) last.title = title;
    else chapters.push({ atMs, title });
  }
  return chapters;
}
