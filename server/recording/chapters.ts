import { applyOp, emptyBoard } from '../contract/board.ts';
import type { BoardOp } from '../contract/board.ts';
import { both, text } from '../../scheduler/text.ts';
import type { Text } from '../../scheduler/text.ts';

/** A chapter of a lesson's video: from `atMs` (ms from the live start), the board's page `page` (1-based). */
export interface PageChapter {
  atMs: number;
  page: number;
}

/**
 * Chapters of a lesson's video at the board's page turns (and pages added, which turn to
 * the first of them): ms from `startMs`, each with the page's number; words come later, in
 * the reader's language ({@link chapterTitle}).
 */
export function pageChapters(ops: readonly BoardOp[], startMs: number): PageChapter[] {
  const state = emptyBoard();
  const chapters = [{ atMs: 0, page: 1 }];
  for (const op of ops) {
    const before = state.page;
    applyOp(state, op);
    if (state.page === before) continue;
    const atMs = Math.max(0, op.at - startMs);
    const page = state.pages.findIndex((p) => p.id === state.page) + 1;
    const last = chapters.at(-1)!;
    // Turns within a second of each other make one chapter, named after where they stopped.
    if (atMs - last.atMs < 1000) last.page = page;
    else chapters.push({ atMs, page });
  }
  return chapters;
}

/** A chapter's title: "第 3 页" / "Page 3". */
export function chapterTitle(page: number): Text {
  return text(`第 ${page} 页`, `Page ${page}`);
}

/**
 * Chapters as the MP4 file names them: the file has no reader's language, so each title is in
 * both ("第 2 页 (Page 2)"), as stored beside the page for readers that predate the number.
 */
export function fileChapters(chapters: readonly PageChapter[]): (PageChapter & { title: string })[] {
  return chapters.map((c) => ({ ...c, title: both(chapterTitle(c.page)) }));
}

/**
 * A stored chapter as the library shows it: its page, from the number stored with it or, for
 * a recording composed before numbers were kept, read from its Chinese title ("第 3 页").
 */
export function storedChapter(stored: {
  atMs?: number | null;
  page?: number | null;
  title?: string | null;
}): { atMs: number; page: number | null; title: Text } {
  const page = stored.page ?? Number(/^第 (\d+) 页$/.exec(stored.title ?? '')?.[1] ?? NaN);
  const known = Number.isInteger(page) && page > 0;
  return {
    atMs: stored.atMs ?? 0,
    page: known ? page : null,
    title: known ? chapterTitle(page) : text(stored.title ?? '', stored.title ?? ''),
  };
}
