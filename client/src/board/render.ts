/**
 * Draws board items on a 2D canvas context whose transform maps board units to its pixels.
 * The finished layer draws highlighter ink with `darken`, which is idempotent: a stroke can be
 * drawn in parts (as it is extended) without darker seams, and it never covers the ink or the
 * courseware under it.
 */
import type { BoardItem } from '../../../server/contract/board.ts';
import { BOARD_HEIGHT, BOARD_WIDTH, isFreehand } from './constants.ts';
import { completePieces, highlighterInk, traceStroke } from './geometry.ts';
import type { PathSink } from './geometry.ts';

/** Where an item is drawn: the finished layer, or the live overlay (own strokes, previews). */
export type Layer = 'finished' | 'live';

/** The board's font stack at `size` board units (text items and the text input). */
export const textFont = (size: number): string =>
  `${size}px 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', system-ui, sans-serif`;

/** A page without courseware. */
export const PAPER = '#ffffff';

/** Draws a whole item; for a stroke, returns the number of pieces drawn (see `completePieces`). */
export function drawItem(ctx: CanvasRenderingContext2D, item: BoardItem, layer: Layer): number {
  if (isFreehand(item.tool)) {
    const to = completePieces(item.points.length, item.done || layer === 'live');
    drawPieces(ctx, item, 0, to, layer);
    return to;
  }
  ctx.save();
  ctx.strokeStyle = item.color;
  ctx.fillStyle = item.color;
  ctx.lineWidth = item.width;
  ctx.lineCap = 'round';
  ctx.lineJoin = item.tool === 'rect' ? 'miter' : 'round';
  const [ax = 0, ay = 0, bx = 0, by = 0] = item.points;
  ctx.beginPath();
  switch (item.tool) {
    case 'line':
      ctx.moveTo(ax, ay);
      ctx.lineTo(bx, by);
      ctx.stroke();
      break;
    case 'rect':
      ctx.strokeRect(Math.min(ax, bx), Math.min(ay, by), Math.abs(bx - ax), Math.abs(by - ay));
      break;
    case 'ellipse':
      ctx.ellipse(
        (ax + bx) / 2,
        (ay + by) / 2,
        Math.abs(bx - ax) / 2,
        Math.abs(by - ay) / 2,
        0,
        0,
        2 * Math.PI,
      );
      ctx.stroke();
      break;
    case 'text':
      ctx.font = textFont(item.width);
      ctx.textBaseline = 'alphabetic';
      ctx.fillText(item.text ?? '', ax, ay);
      break;
    default:
      break;
  }
  ctx.restore();
  return 0;
}

/**
 * Draws many items in order, as fast as a canvas allows: consecutive pen strokes of one colour
 * are gathered into one path per line width and stroked together (opaque ink of one colour
 * looks the same in any order), so that 10,000 strokes with pressure cost a few hundred
 * `stroke()` calls rather than one per piece. `drawn` learns the pieces drawn of each item.
 */
export function drawItems(
  ctx: CanvasRenderingContext2D,
  items: Iterable<BoardItem>,
  drawn: (item: BoardItem, pieces: number) => void,
): void {
  let batch: { color: string; byWidth: Map<number, Path2D>; dots: Path2D } | null = null;
  const flush = (): void => {
    if (!batch) return;
    ctx.save();
    ctx.strokeStyle = batch.color;
    ctx.fillStyle = batch.color;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    for (const [width, path] of batch.byWidth) {
      ctx.lineWidth = width;
      ctx.stroke(path);
    }
    ctx.fill(batch.dots);
    ctx.restore();
    batch = null;
  };
  for (const item of items) {
    if (item.hidden) continue;
    if (item.tool !== 'pen') {
      flush();
      drawn(item, drawItem(ctx, item, 'finished'));
      continue;
    }
    if (batch && batch.color !== item.color) flush();
    const into: { color: string; byWidth: Map<number, Path2D>; dots: Path2D } = (batch ??= {
      color: item.color,
      byWidth: new Map(),
      dots: new Path2D(),
    });
    let path: Path2D | undefined;
    const to = completePieces(item.points.length, item.done);
    traceStroke(item.points, item.tool, item.width, 0, to, {
      begin(width, x, y) {
        path = into.byWidth.get(width);
        if (!path) into.byWidth.set(width, (path = new Path2D()));
        path.moveTo(x, y);
      },
      quad(cx, cy, x, y) {
        path?.quadraticCurveTo(cx, cy, x, y);
      },
      end() {
        path = undefined;
      },
      dot(width, x, y) {
        into.dots.moveTo(x + width / 2, y);
        into.dots.arc(x, y, width / 2, 0, 2 * Math.PI);
      },
    });
    drawn(item, to);
  }
  flush();
}

/** Draws pieces [from, to) of a stroke (an extended stroke draws only its new pieces). */
export function drawPieces(
  ctx: CanvasRenderingContext2D,
  item: BoardItem,
  from: number,
  to: number,
  layer: Layer,
): void {
  if (to <= from) return;
  ctx.save();
  const highlighter = item.tool === 'highlighter';
  const ink = highlighter ? highlighterInk(item.color) : item.color;
  if (highlighter && layer === 'finished') ctx.globalCompositeOperation = 'darken';
  if (highlighter && layer === 'live') ctx.globalAlpha = 0.6;
  ctx.strokeStyle = ink;
  ctx.fillStyle = ink;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  traceStroke(item.points, item.tool, item.width, from, to, canvasSink(ctx));
  ctx.restore();
}

function canvasSink(ctx: CanvasRenderingContext2D): PathSink {
  return {
    begin(width, x, y) {
      ctx.beginPath();
      ctx.lineWidth = width;
      ctx.moveTo(x, y);
    },
    quad(cx, cy, x, y) {
      ctx.quadraticCurveTo(cx, cy, x, y);
    },
    end() {
      ctx.stroke();
    },
    dot(width, x, y) {
      ctx.beginPath();
      ctx.arc(x, y, width / 2, 0, 2 * Math.PI);
      ctx.fill();
    },
  };
}

/** Paints the page: white, then the courseware image fitted (contained) and centred. */
export function drawPaper(
  ctx: CanvasRenderingContext2D,
  image: CanvasImageSource | null,
  size?: { width: number; height: number },
): void {
  ctx.save();
  ctx.globalCompositeOperation = 'source-over';
  ctx.fillStyle = PAPER;
  ctx.fillRect(0, 0, BOARD_WIDTH, BOARD_HEIGHT);
  if (image && size && size.width > 0 && size.height > 0) {
    const scale = Math.min(BOARD_WIDTH / size.width, BOARD_HEIGHT / size.height);
    const w = size.width * scale;
    const h = size.height * scale;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(image, (BOARD_WIDTH - w) / 2, (BOARD_HEIGHT - h) / 2, w, h);
  }
  ctx.restore();
}
