/**
 * What each tool does with a pointer between down and up. A gesture gets its points in board
 * units; it draws on the live layer at once and asks the server for the change.
 */
import type {
  BoardAuthor,
  BoardChange,
  BoardItem,
  BoardTool,
  LaserPoint,
} from '../../../server/contract/board.ts';
import { authorKey } from './constants.ts';
import { round1 } from './geometry.ts';
import { crossedItems } from './hitTest.ts';
import { newId } from './ids.ts';
import type { LiveLayer } from './LiveLayer.ts';
import { StrokeStream } from './StrokeStream.ts';
import type { ToolName } from './tools.ts';

/** A pointer sample in board units; pressure 0–1. */
export interface InputPoint {
  x: number;
  y: number;
  pressure: number;
}

/** A gesture in progress. */
export interface Gesture {
  move(points: readonly InputPoint[]): void;
  /** The pointer is up (`cancelled`: the browser took it away, or the page turned). */
  end(cancelled: boolean): void;
}

/** What a gesture needs from the board. */
export interface GestureContext {
  me: BoardAuthor;
  page: string;
  tool: ToolName;
  color: string;
  /** Width of the tool in board units (font size for text, radius for the eraser). */
  width: number;
  live: LiveLayer;
  send(change: BoardChange): Promise<void>;
  /** Moves the own laser pointer (throttled by the caller). */
  laser(point: LaserPoint): void;
  /** Visible and hidden items of the current page, in drawing order. */
  pageItems(): readonly BoardItem[];
  /** Whether the server has sequenced the item as it is on the live layer (then it can go). */
  sequenced(id: string): boolean;
  /** Shows the server's refusal. */
  refused(message: string): void;
  /** Opens the text input at a point. */
  openText(at: InputPoint): void;
}

/** Freehand points closer than this to the previous one add nothing visible (board units). */
const MIN_STEP = 0.75;
/** Shapes smaller than this are taken for a slip and not drawn. */
const MIN_SHAPE = 3;

export function startGesture(ctx: GestureContext, first: InputPoint): Gesture {
  switch (ctx.tool) {
    case 'pen':
    case 'highlighter':
      return freehand(ctx, ctx.tool, first);
    case 'line':
    case 'rect':
    case 'ellipse':
      return shape(ctx, ctx.tool, first);
    case 'eraser':
      return eraser(ctx, first);
    case 'laser':
      return laser(ctx, first);
    case 'text':
      return { move: () => undefined, end: (cancelled) => cancelled || ctx.openText(first) };
  }
}

function localItem(ctx: GestureContext, id: string, tool: BoardTool, points: number[]): BoardItem {
  return {
    id,
    page: ctx.page,
    author: authorKey(ctx.me),
    tool,
    color: ctx.color,
    width: ctx.width,
    points,
    done: false,
    hidden: false,
  };
}

/** Pen and highlighter: streamed to the server while drawn, shown on the live layer until sequenced. */
function freehand(ctx: GestureContext, tool: 'pen' | 'highlighter', first: InputPoint): Gesture {
  const triple = (p: InputPoint): number[] => [
    round1(p.x),
    round1(p.y),
    tool === 'highlighter' ? 0.5 : Math.round(p.pressure * 100) / 100,
  ];
  let item: BoardItem;
  let stream: StrokeStream;
  const begin = (p: InputPoint): void => {
    const points = triple(p);
    item = localItem(ctx, newId(ctx.me), tool, points);
    const started = item;
    ctx.live.set(started);
    stream = new StrokeStream(
      {
        t: 'draw',
        id: started.id,
        page: started.page,
        tool,
        color: started.color,
        width: started.width,
        points: [...points],
      },
      {
        send: (change) => ctx.send(change),
        onRefused: (message) => {
          ctx.live.delete(started.id);
          ctx.refused(message);
        },
      },
    );
    const done = stream;
    void done.settled.then((ok) => {
      if (ok && ctx.sequenced(started.id)) ctx.live.delete(started.id);
    });
  };
  const finish = (): void => {
    item.done = true;
    stream.end();
    ctx.live.set(item);
  };
  begin(first);
  let lastX = first.x;
  let lastY = first.y;
  return {
    move(points) {
      if (stream.failed) return;
      for (const p of points) {
        if (Math.hypot(p.x - lastX, p.y - lastY) < MIN_STEP) continue;
        lastX = p.x;
        lastY = p.y;
        // A stroke at the contract's length limit goes on as a new stroke from here.
        if (stream.room < 3) {
          finish();
          begin(p);
          continue;
        }
        const t = triple(p);
        item.points.push(...t);
        stream.add(t);
      }
      ctx.live.set(item);
    },
    end() {
      finish();
    },
  };
}

/** Line, rectangle, ellipse: previewed while dragged, one `draw` on release. */
function shape(ctx: GestureContext, tool: 'line' | 'rect' | 'ellipse', first: InputPoint): Gesture {
  const a = [round1(first.x), round1(first.y)];
  const item = localItem(ctx, newId(ctx.me), tool, [...a, ...a]);
  item.done = true;
  return {
    move(points) {
      const last = points[points.length - 1];
      if (!last) return;
      item.points = [...a, round1(last.x), round1(last.y)];
      ctx.live.set(item);
    },
    end(cancelled) {
      const [ax = 0, ay = 0, bx = 0, by = 0] = item.points;
      if (cancelled || Math.hypot(bx - ax, by - ay) < MIN_SHAPE) {
        ctx.live.delete(item.id);
        return;
      }
      ctx.live.set(item);
      const { id, page, color, width, points } = item;
      ctx.send({ t: 'draw', id, page, tool, color, width, points }).then(
        () => {
          if (ctx.sequenced(id)) ctx.live.delete(id);
        },
        (error: Error) => {
          ctx.live.delete(id);
          ctx.refused(error.message);
        },
      );
    },
  };
}

/** Eraser: marks the items its swipe crosses, and erases them all in one change on release (one undo). */
function eraser(ctx: GestureContext, first: InputPoint): Gesture {
  const radius = ctx.width;
  const trail = [first.x, first.y];
  const crossed = new Map<string, BoardItem>();
  const mark = ctx.live.eraser(radius);
  const hit = (segment: number[]): void => {
    for (const item of crossedItems(ctx.pageItems(), segment, radius)) crossed.set(item.id, item);
  };
  hit([first.x, first.y]);
  mark.update(trail, [...crossed.values()]);
  return {
    move(points) {
      for (const p of points) {
        const lx = trail[trail.length - 2] ?? p.x;
        const ly = trail[trail.length - 1] ?? p.y;
        if (Math.hypot(p.x - lx, p.y - ly) < MIN_STEP) continue;
        hit([lx, ly, p.x, p.y]);
        trail.push(p.x, p.y);
      }
      // The trail shows the last stretch of the swipe only.
      mark.update(trail.slice(-64), [...crossed.values()]);
    },
    end(cancelled) {
      if (cancelled || !crossed.size) {
        mark.remove();
        return;
      }
      // Keep the marks until the erase is sequenced, so that nothing flickers back meanwhile.
      mark.update([], [...crossed.values()]);
      ctx.send({ t: 'erase', ids: [...crossed.keys()] }).then(
        () => mark.remove(),
        (error: Error) => {
          mark.remove();
          ctx.refused(error.message);
        },
      );
    },
  };
}

/** Laser pointer: follows the pointer for everyone while it is down. */
function laser(ctx: GestureContext, first: InputPoint): Gesture {
  const at = (p: InputPoint): LaserPoint => ({ page: ctx.page, x: round1(p.x), y: round1(p.y) });
  ctx.laser(at(first));
  return {
    move(points) {
      const last = points[points.length - 1];
      if (last) ctx.laser(at(last));
    },
    end() {
      ctx.laser(null);
    },
  };
}
