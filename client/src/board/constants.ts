/**
 * The values of the board contract the browser uses at run time, taken from the contract
 * itself (the board protocol is the one part of the contract the client imports as code).
 */
import { FREEHAND_TOOLS } from '../../../server/contract/board.ts';
import type { BoardTool } from '../../../server/contract/board.ts';

export {
  BOARD_HEIGHT,
  BOARD_WIDTH,
  MAX_PAGES,
  MAX_STROKE_COORDS,
  MAX_TEXT_LENGTH,
  authorKey,
} from '../../../server/contract/board.ts';

/** Pen and highlighter stream their points (`draw`, `extend`…, `finish`); other tools draw at once. */
export const isFreehand = (tool: BoardTool): boolean => FREEHAND_TOOLS.includes(tool);
