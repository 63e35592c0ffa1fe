/**
 * The lesson board's sync protocol: what a change is, and how a sequence of changes folds
 * into the board everyone sees. Pure and dependency-free, because both sides must fold the
 * same log the same way: the server to check and sequence changes, the browser to draw them.
 *
 * Sync model: server-sequenced operations. Every change goes to the server, which checks it
 * (who holds the pen, whose stroke it is), gives it the next sequence number, persists it and
 * only then broadcasts it. Clients apply changes in sequence order, so every board that has
 * seen sequence n is identical; a late joiner gets the state at n plus the changes after it,
 * and a lesson can be replayed by folding its log. A CRDT (Yjs) would let peers edit without
 * the server, which a classroom never needs (the server must rule on the pen anyway), and it
 * would make "a classroom without the pen cannot change the board" a client-side promise.
 */

/** The board's logical page: 16:9, in board units; clients scale it to their screen. */
export const BOARD_WIDTH = 1600;
export const BOARD_HEIGHT = 900;
/** Largest number of coordinates (x, y, pressure triples count 3) in one stroke. */
export const MAX_STROKE_COORDS = 30_000;
/** Largest number of pages on one board. */
export const MAX_PAGES = 300;
export const MAX_TEXT_LENGTH = 500;

/**
 * Freehand tools stream their points while drawn (`draw`, `extend`…, `finish`); the others
 * are complete in one `draw`.
 */
export const BOARD_TOOLS = ['pen', 'highlighter', 'line', 'rect', 'ellipse', 'text'] as const;
export type BoardTool = (typeof BOARD_TOOLS)[number];
export const FREEHAND_TOOLS: readonly BoardTool[] = ['pen', 'highlighter'];

/** Who made a change: the teacher (user id) or a classroom (classroom id). */
export interface BoardAuthor {
  role: 'teacher' | 'classroom';
  refId: string;
}

/** A page: blank, or a courseware page (an uploaded image, rendered from a PDF or as is). */
export interface BoardPage {
  id: string;
  /** Asset id of the background image; null for a blank page. */
  background: string | null;
}

/**
 * Something drawn on a page. `points` holds, by tool:
 * - pen, highlighter: x, y, pressure (0–1) triples;
 * - line, rect, ellipse: x1, y1, x2, y2 (two corners / end points);
 * - text: x, y of the baseline's start (`width` is the font size).
 */
export interface BoardItem {
  id: string;
  page: string;
  /** `role:refId` of the author (see {@link authorKey}). */
  author: string;
  tool: BoardTool;
  /** CSS colour, #rrggbb. */
  color: string;
  /** Line width in board units (font size for text). */
  width: number;
  points: number[];
  text?: string;
  /** False while a freehand stroke is still being drawn. */
  done: boolean;
  /** Erased, cleared or undone (kept so that undo and replay can bring it back). */
  hidden: boolean;
}

/** A change as a participant asks for it. */
export type BoardChange =
  | {
      t: 'draw';
      id: string;
      page: string;
      tool: BoardTool;
      color: string;
      width: number;
      points: number[];
      text?: string;
    }
  | { t: 'extend'; id: string; points: number[] }
  | { t: 'finish'; id: string }
  /** Hides items (the eraser). */
  | { t: 'erase'; ids: string[] }
  /** Hides every visible item of a page. Teacher only. */
  | { t: 'clear'; page: string }
  /** Undoes / redoes the author's own last draw, erase or clear. */
  | { t: 'undo' }
  | { t: 'redo' }
  /** Adds pages after `after` (at the end when null), and shows the first of them. Teacher only. */
  | { t: 'addPages'; pages: BoardPage[]; after: string | null }
  /** Turns to a page; every classroom follows. Teacher only. */
  | { t: 'page'; page: string }
  /** Hands the pen to a classroom, or takes it back (null). Teacher only. */
  | { t: 'pen'; holder: string | null };

/** A change as the server sequenced it: what everyone applies, in `seq` order. */
export interface BoardOp {
  seq: number;
  /** ms since the epoch, when the server accepted it. */
  at: number;
  by: BoardAuthor;
  change: BoardChange;
}

/** An undoable action of one author. */
type Action = { kind: 'show' | 'hide'; ids: string[] };

export interface BoardState {
  /** Sequence number of the last change folded in; 0 for a new board. */
  seq: number;
  pages: BoardPage[];
  /** The page everyone is on. */
  page: string;
  /** Every item, in drawing order (later ones on top). */
  items: BoardItem[];
  /** Classroom id holding the pen; null when only the teacher writes. */
  penHolder: string | null;
  /** Per author: actions that undo can reverse, and undone ones that redo can replay. */
  history: Record<string, { done: Action[]; undone: Action[] }>;
}

export const FIRST_PAGE_ID = 'p1';

/** A new board: one blank page. */
export function emptyBoard(): BoardState {
  return {
    seq: 0,
    pages: [{ id: FIRST_PAGE_ID, background: null }],
    page: FIRST_PAGE_ID,
    items: [],
    penHolder: null,
    history: {},
  };
}

export const authorKey = (by: BoardAuthor): string => `${by.role}:${by.refId}`;

/** Items by id, per state object (items are only ever appended, so it is kept up to date). */
const indexes = new WeakMap<BoardState, Map<string, BoardItem>>();

/** The item with `id`, in O(1) (the index is built on first use, e.g. after a snapshot arrives). */
export function findItem(state: BoardState, id: string): BoardItem | undefined {
  let index = indexes.get(state);
  if (!index || index.size !== state.items.length) {
    index = new Map(state.items.map((i) => [i.id, i]));
    indexes.set(state, index);
  }
  return index.get(id);
}

/** Why a change is refused: `forbidden` when `by` may not make it at all, else the change does not fit the board. */
export interface Refusal {
  forbidden: boolean;
  message: string;
}

/** Why `by` may not make `change` on `state`, or null when it may. */
export function refusal(state: BoardState, by: BoardAuthor, change: BoardChange): Refusal | null {
  const forbidden = (message: string): Refusal => ({ forbidden: true, message });
  const teacher = by.role === 'teacher';
  if (
    !teacher &&
    (change.t === 'clear' || change.t === 'addPages' || change.t === 'page' || change.t === 'pen')
  )
    return forbidden('only the teacher can do this');
  if (!teacher && state.penHolder !== by.refId) return forbidden('this classroom does not hold the pen');
  const item = 'id' in change ? findItem(state, change.id) : undefined;
  if ((change.t === 'extend' || change.t === 'finish') && item && item.author !== authorKey(by))
    return forbidden(`item ${change.id} belongs to someone else`);
  const message = misfit(state, change, item);
  return message ? { forbidden: false, message } : null;
}

/** Why a change does not fit the board (a missing page or item, a malformed shape), or null. */
function misfit(state: BoardState, change: BoardChange, item: BoardItem | undefined): string | null {
  switch (change.t) {
    case 'draw':
      if (item) return `item ${change.id} already exists`;
      if (!state.pages.some((p) => p.id === change.page)) return `page ${change.page} does not exist`;
      return shapeRefusal(change);
    case 'extend':
    case 'finish':
      if (!item) return `item ${change.id} does not exist`;
      if (item.done) return `item ${change.id} is finished`;
      if (change.t === 'extend') {
        if (change.points.length % 3 !== 0) return 'points must be x, y, pressure triples';
        if (item.points.length + change.points.length > MAX_STROKE_COORDS) return 'stroke too long';
      }
      return null;
    case 'erase': {
      const missing = change.ids.find((id) => !findItem(state, id));
      return missing ? `item ${missing} does not exist` : null;
    }
    case 'clear':
    case 'page':
      return state.pages.some((p) => p.id === change.page) ? null : `page ${change.page} does not exist`;
    case 'addPages': {
      if (change.after !== null && !state.pages.some((p) => p.id === change.after))
        return `page ${change.after} does not exist`;
      if (state.pages.length + change.pages.length > MAX_PAGES)
        return `a board has at most ${MAX_PAGES} pages`;
      const ids = new Set(state.pages.map((p) => p.id));
      for (const p of change.pages) {
        if (ids.has(p.id)) return `page ${p.id} already exists`;
        ids.add(p.id);
      }
      return change.pages.length ? null : 'no pages to add';
    }
    case 'undo':
    case 'redo':
    case 'pen':
      return null;
  }
}

function shapeRefusal(change: Extract<BoardChange, { t: 'draw' }>): string | null {
  const n = change.points.length;
  if (FREEHAND_TOOLS.includes(change.tool)) {
    if (n % 3 !== 0) return 'points must be x, y, pressure triples';
    if (n > MAX_STROKE_COORDS) return 'stroke too long';
    return null;
  }
  if (change.tool === 'text') {
    if (n !== 2) return 'text needs one point';
    if (!change.text?.trim()) return 'text is empty';
    return null;
  }
  return n === 4 ? null : `${change.tool} needs two points`;
}

/**
 * Folds one sequenced change into the board, in place. Total: a change the server would have
 * refused is ignored, so a replay never throws. Returns the ids of the items it touched.
 */
export function applyOp(state: BoardState, op: BoardOp): string[] {
  state.seq = op.seq;
  const { change } = op;
  const key = authorKey(op.by);
  const history = (state.history[key] ??= { done: [], undone: [] });
  const byId = (id: string): BoardItem | undefined => findItem(state, id);
  switch (change.t) {
    case 'draw': {
      if (byId(change.id)) return [];
      const freehand = FREEHAND_TOOLS.includes(change.tool);
      state.items.push({
        id: change.id,
        page: change.page,
        author: key,
        tool: change.tool,
        color: change.color,
        width: change.width,
        points: [...change.points],
        ...(change.text !== undefined ? { text: change.text } : {}),
        done: !freehand,
        hidden: false,
      });
      history.done.push({ kind: 'show', ids: [change.id] });
      history.undone = [];
      return [change.id];
    }
    case 'extend': {
      const item = byId(change.id);
      if (!item || item.done) return [];
      for (const v of change.points) item.points.push(v);
      return [item.id];
    }
    case 'finish': {
      const item = byId(change.id);
      if (!item) return [];
      item.done = true;
      return [item.id];
    }
    case 'erase':
    case 'clear': {
      const ids =
        change.t === 'erase'
          ? [...new Set(change.ids)].filter((id) => byId(id)?.hidden === false)
          : state.items.filter((i) => !i.hidden && i.page === change.page).map((i) => i.id);
      if (!ids.length) return [];
      setHidden(state, ids, true);
      history.done.push({ kind: 'hide', ids });
      history.undone = [];
      return ids;
    }
    case 'undo':
    case 'redo': {
      const from = change.t === 'undo' ? history.done : history.undone;
      const to = change.t === 'undo' ? history.undone : history.done;
      const action = from.pop();
      if (!action) return [];
      to.push(action);
      // Undoing a draw hides it; undoing an erase shows the erased items again.
      setHidden(state, action.ids, (action.kind === 'show') === (change.t === 'undo'));
      return action.ids;
    }
    case 'addPages': {
      const at =
        change.after === null ? state.pages.length : state.pages.findIndex((p) => p.id === change.after) + 1;
      const fresh = change.pages.filter((p) => !state.pages.some((q) => q.id === p.id));
      state.pages.splice(at, 0, ...fresh.map((p) => ({ ...p })));
      if (fresh[0]) state.page = fresh[0].id;
      return [];
    }
    case 'page':
      if (state.pages.some((p) => p.id === change.page)) state.page = change.page;
      return [];
    case 'pen': {
      // Taking the pen ends the holder's strokes in progress (it can no longer finish them).
      const previous = state.penHolder === null ? null : `classroom:${state.penHolder}`;
      const ended = state.items.filter(
        (i) => !i.done && i.author === previous && change.holder !== state.penHolder,
      );
      for (const item of ended) item.done = true;
      state.penHolder = change.holder;
      return ended.map((i) => i.id);
    }
  }
}

function setHidden(state: BoardState, ids: readonly string[], hidden: boolean): void {
  for (const id of ids) {
    const item = findItem(state, id);
    if (item) item.hidden = hidden;
  }
}

/** The board after `ops` (in sequence order), from an empty one. */
export function foldOps(ops: readonly BoardOp[]): BoardState {
  const state = emptyBoard();
  for (const op of ops) applyOp(state, op);
  return state;
}

/** What a participant gets when it opens the board: the state at `state.seq`, or the changes after its own. */
export type BoardSync = { kind: 'state'; state: BoardState } | { kind: 'ops'; ops: BoardOp[] };

/** A laser pointer position (not sequenced or kept; null hides it). */
export type LaserPoint = { page: string; x: number; y: number } | null;

/** Raised hands, the floor, the spotlight and muted classrooms of a live lesson. */
export interface Interaction {
  /** Classrooms with a raised hand, first raised first. */
  hands: { classroomId: string; at: number }[];
  /** The classroom whose audio and video go to every classroom; null when none. */
  floor: string | null;
  /** The classroom shown large in the teacher's grid; null when none. */
  spotlight: string | null;
  /** Classrooms whose microphone the teacher has muted. */
  muted: string[];
}
