/** The board's tools, colours and widths, as the toolbar offers them. */
import type { BoardTool } from '../../../server/contract/board.ts';
import type { MessageKey } from '../i18n.ts';

/** A tool of the toolbar: the drawing tools of the contract, plus the eraser and the laser pointer. */
export type ToolName = BoardTool | 'eraser' | 'laser';

/** The tools in toolbar order. */
export const TOOLS: readonly ToolName[] = [
  'pen',
  'highlighter',
  'eraser',
  'line',
  'rect',
  'ellipse',
  'text',
  'laser',
];

export const TOOL_LABEL: Record<ToolName, MessageKey> = {
  pen: 'boardPen',
  highlighter: 'boardHighlighter',
  eraser: 'boardEraser',
  line: 'boardLine',
  rect: 'boardRect',
  ellipse: 'boardEllipse',
  text: 'boardText',
  laser: 'boardLaser',
};

/** Ink colours (dark ink on the white board). */
export const COLORS: readonly { value: string; label: MessageKey }[] = [
  { value: '#1f2328', label: 'boardBlack' },
  { value: '#e03131', label: 'boardRed' },
  { value: '#1971c2', label: 'boardBlue' },
  { value: '#2f9e44', label: 'boardGreen' },
  { value: '#f08c00', label: 'boardOrange' },
];

/** Thin, medium, thick. */
export type WidthLevel = 0 | 1 | 2;
export const WIDTH_LABEL: Record<WidthLevel, MessageKey> = {
  0: 'boardThin',
  1: 'boardMedium',
  2: 'boardThick',
};

/**
 * Per tool, the three widths in board units: line width, font size for text, the eraser's
 * radius. The board is 1600 units wide, so 6 units is about 14 px on a 4K screen.
 */
const WIDTHS: Record<ToolName, readonly [number, number, number]> = {
  pen: [3, 6, 12],
  highlighter: [18, 30, 48],
  line: [3, 6, 12],
  rect: [3, 6, 12],
  ellipse: [3, 6, 12],
  text: [28, 44, 64],
  eraser: [12, 26, 52],
  laser: [0, 0, 0],
};

/** The width of `tool` at `level`, in board units. */
export const toolWidth = (tool: ToolName, level: WidthLevel): number => WIDTHS[tool][level];

const path = (d: string): string =>
  `<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${d}</svg>`;

/** Icons (static SVG markup, 24-unit grid, drawn in the button's text colour). */
export const ICONS: Record<
  ToolName | 'undo' | 'redo' | 'clear' | 'prev' | 'next' | 'addPage' | 'import',
  string
> = {
  pen: path('<path d="M4 20l1-5L16 4l4 4L9 19z"/><path d="M14 6l4 4"/>'),
  highlighter: path(
    '<path d="M5 19h6"/><path d="M8 16l-2-2L15 5l4 4-9 9z" fill="currentColor" fill-opacity="0.35"/>',
  ),
  eraser: path('<path d="M7 20h13"/><path d="M4 15l9-9 6 6-8 8H8z"/><path d="M9 10l6 6"/>'),
  line: path('<path d="M5 19L19 5"/>'),
  rect: path('<rect x="4" y="6" width="16" height="12" rx="1"/>'),
  ellipse: path('<ellipse cx="12" cy="12" rx="8" ry="6"/>'),
  text: path('<path d="M5 6V4h14v2"/><path d="M12 4v16"/><path d="M9 20h6"/>'),
  laser: path(
    '<circle cx="12" cy="12" r="3" fill="currentColor"/><path d="M12 3v3M12 18v3M3 12h3M18 12h3"/>',
  ),
  undo: path('<path d="M9 14L4 9l5-5"/><path d="M4 9h10a6 6 0 010 12h-3"/>'),
  redo: path('<path d="M15 14l5-5-5-5"/><path d="M20 9H10a6 6 0 000 12h3"/>'),
  clear: path('<path d="M4 7h16"/><path d="M9 7V4h6v3"/><path d="M6 7l1 13h10l1-13"/>'),
  prev: path('<path d="M15 5l-7 7 7 7"/>'),
  next: path('<path d="M9 5l7 7-7 7"/>'),
  addPage: path('<path d="M6 3h8l4 4v14H6z"/><path d="M12 11v6M9 14h6"/>'),
  import: path('<path d="M12 3v12"/><path d="M7 10l5 5 5-5"/><path d="M4 17v3h16v-3"/>'),
};

/** An icon element for a button. */
export function icon(name: keyof typeof ICONS): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = 'board-icon';
  span.innerHTML = ICONS[name];
  return span;
}
