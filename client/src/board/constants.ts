/**
 * The few values of the board contract the browser needs at run time. The client may only
 * `import type` from the server's contract, so they are repeated here; each is typed by the
 * contract's own constant, so the type check fails the day the two drift apart.
 */
import type {
  BOARD_HEIGHT as ContractHeight,
  BOARD_WIDTH as ContractWidth,
  BoardAuthor,
  BoardTool,
  MAX_PAGES as ContractMaxPages,
  MAX_STROKE_COORDS as ContractMaxCoords,
  MAX_TEXT_LENGTH as ContractMaxText,
  authorKey as contractAuthorKey,
} from '../../../server/contract/board.ts';

/** Width of the board's logical page, in board units. */
export const BOARD_WIDTH: typeof ContractWidth = 1600;
/** Height of the board's logical page, in board units. */
export const BOARD_HEIGHT: typeof ContractHeight = 900;
/** Largest number of coordinates (x, y, pressure triples count 3) in one stroke. */
export const MAX_STROKE_COORDS: typeof ContractMaxCoords = 30_000;
/** Largest number of pages on one board. */
export const MAX_PAGES: typeof ContractMaxPages = 300;
/** Longest text item, in UTF-16 code units. */
export const MAX_TEXT_LENGTH: typeof ContractMaxText = 500;

/** `role:refId`, the `author` of the items and the key of `history` (as the contract's `authorKey`). */
export const authorKey: typeof contractAuthorKey = (by: BoardAuthor): string => `${by.role}:${by.refId}`;

/** Pen and highlighter stream their points (`draw`, `extend`…, `finish`); other tools draw at once. */
export const isFreehand = (tool: BoardTool): boolean => tool === 'pen' || tool === 'highlighter';
