/**
 * What the library player marks on its timeline and offers as pages, from a recording's view,
 * its board log and the evaluations the caller may read. Pure (no DOM), for the player and
 * its unit test.
 */
import { applyOp, emptyBoard } from '../../../server/contract/board.ts';
import type { BoardOp } from '../../../server/contract/board.ts';
import type { RecordingGapView, RecordingView } from '../../../server/contract/library.ts';

/** A board page and when it was turned to, ms from the lesson's live start. */
export interface PageVisit {
  pageId: string;
  /** Its number (1-based) among the board's pages then. */
  number: number;
  atMs: number;
}

/** One mark on the timeline, ms from the lesson's live start. */
export type Mark =
  | { kind: 'page'; atMs: number; number: number }
  | { kind: 'floor'; atMs: number; name: string }
  | { kind: 'gap'; atMs: number; toMs: number; reason: RecordingGapView['reason'] }
  | { kind: 'comment'; atMs: number; name: string; text: string };

/** An evaluation comment as the player needs it (from `EvaluationView`). */
export interface TimedComment {
  atSeconds: number;
  text: string;
  name: string;
}

/** Every page in the order it was first shown, with that moment (from `pageTurns`). */
export function firstVisits(turns: readonly PageVisit[]): PageVisit[] {
  const seen = new Set<string>();
  return turns.filter((turn) => !seen.has(turn.pageId) && Boolean(seen.add(turn.pageId)));
}

/** The page on the board at `ms` (the one turned to last by then), as an index into `turns`. */
export function pageIndexAt(turns: readonly { atMs: number }[], ms: number): number {
  let index = 0;
  for (const [i, turn] of turns.entries()) if (turn.atMs <= ms) index = i;
  return index;
}

/**
 * Every page turn, the first page at 0 (a page shown again is a turn again), each with the
 * page's number then. Changes before the live start count as at 0 (the board prepared
 * before class).
 */
export function pageTurns(ops: readonly BoardOp[], startMs: number): PageVisit[] {
  const state = emptyBoard();
  const turns: PageVisit[] = [{ atMs: 0, pageId: state.page, number: 1 }];
  for (const op of ops) {
    const before = state.page;
    applyOp(state, op);
    if (state.page === before) continue;
    const turn = {
      atMs: Math.max(0, op.at - startMs),
      pageId: state.page,
      number: state.pages.findIndex((p) => p.id === state.page) + 1,
    };
    // Turns at the same moment (pages added, then turned to): the last one counts.
    if (turns.at(-1)!.atMs === turn.atMs) turns[turns.length - 1] = turn;
    else turns.push(turn);
  }
  return turns;
}

/**
 * The timeline's marks, in time order: page turns (after the first page), floor changes,
 * gaps (a switch-off too: it is shown, not hidden) and evaluation comments, each within the
 * recording's length.
 */
export function timelineMarks(
  rec: Pick<RecordingView, 'durationMs' | 'gaps' | 'floors'>,
  turns: readonly { atMs: number; number: number }[],
  comments: readonly TimedComment[],
): Mark[] {
  const end = rec.durationMs ?? 0;
  const within = (ms: number): boolean => ms >= 0 && ms <= end;
  const marks: Mark[] = [
    ...turns.slice(1).map((p) => ({ kind: 'page' as const, atMs: p.atMs, number: p.number })),
    ...rec.floors.map((f) => ({ kind: 'floor' as const, atMs: f.atMs, name: f.classroomName })),
    ...rec.gaps.map((g) => ({
      kind: 'gap' as const,
      atMs: g.fromMs,
      toMs: Math.min(end, Math.max(g.fromMs, g.toMs)),
      reason: g.reason,
    })),
    ...comments.map((c) => ({
      kind: 'comment' as const,
      atMs: c.atSeconds * 1000,
      name: c.name,
      text: c.text,
    })),
  ];
  return marks.filter((mark) => within(mark.atMs)).sort((a, b) => a.atMs - b.atMs);
}
