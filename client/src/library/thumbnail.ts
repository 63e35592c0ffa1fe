import type { BoardState } from '../../../server/contract/board.ts';
import { BOARD_HEIGHT, BOARD_WIDTH } from '../board/constants.ts';
import { drawItems, drawPaper } from '../board/render.ts';

/** A page thumbnail's width, CSS px (its height is the board's 16:9). */
const WIDTH = 192;

/**
 * Draws page `pageId` of `state` (its courseware and what is drawn on it) into a small canvas,
 * at the device's pixel ratio; the courseware image is drawn once it has loaded.
 */
export function pageThumbnail(
  state: BoardState,
  pageId: string,
  assetUrl: (assetId: string) => string,
): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  const ratio = Math.min(2, window.devicePixelRatio || 1);
  canvas.width = Math.round(WIDTH * ratio);
  canvas.height = Math.round(((WIDTH * BOARD_HEIGHT) / BOARD_WIDTH) * ratio);
  const ctx = canvas.getContext('2d');
  if (!ctx) return canvas;
  const items = state.items.filter((item) => item.page === pageId && !item.hidden);
  const draw = (image: HTMLImageElement | null): void => {
    ctx.setTransform(canvas.width / BOARD_WIDTH, 0, 0, canvas.height / BOARD_HEIGHT, 0, 0);
    drawPaper(ctx, image, image ? { width: image.naturalWidth, height: image.naturalHeight } : undefined);
    drawItems(ctx, items, () => undefined);
  };
  draw(null);
  const background = state.pages.find((p) => p.id === pageId)?.background ?? null;
  if (background) {
    const image = new Image();
    image.decoding = 'async';
    image.onload = () => draw(image);
    image.src = assetUrl(background);
  }
  return canvas;
}
