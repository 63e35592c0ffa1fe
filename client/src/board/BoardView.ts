import type {
  BoardAuthor,
  BoardChange,
  BoardItem,
  BoardState,
  LaserPoint,
} from '../../../server/contract/board.ts';
import { onLangChange, t } from '../i18n.ts';
import { h } from '../ui/dom.ts';
import { BOARD_HEIGHT, BOARD_WIDTH, MAX_PAGES, MAX_TEXT_LENGTH, authorKey } from './constants.ts';
import { CoursewareImport } from './CoursewareImport.ts';
import { startGesture } from './gestures.ts';
import type { GestureContext, InputPoint } from './gestures.ts';
import { newId } from './ids.ts';
import { SurfaceInput } from './input.ts';
import { LaserLayer } from './LaserLayer.ts';
import { LiveLayer } from './LiveLayer.ts';
import { fmt, refusalText } from './messages.ts';
import { PageLayer } from './PageLayer.ts';
import { Pager } from './pager.ts';
import { textFont } from './render.ts';
import { Stage } from './Stage.ts';
import { throttle } from './throttle.ts';
import { Toolbar } from './toolbar.ts';
import { COLORS, toolWidth } from './tools.ts';
import type { ToolName, WidthLevel } from './tools.ts';

export interface BoardViewOptions {
  /** Who draws here (the teacher or a classroom). */
  me: BoardAuthor;
  /** Asks the server for a change; resolves once sequenced, rejects with an Error whose message is the refusal. */
  send(change: BoardChange): Promise<void>;
  /** Moves this participant's laser pointer (fire and forget; the view throttles it to 20/s). */
  sendLaser(point: LaserPoint): void;
  /** Uploads one courseware page image; resolves with its asset id. */
  uploadAsset(image: Blob, size: { width: number; height: number }): Promise<string>;
  /** URL of an uploaded asset (an image), for page backgrounds. */
  assetUrl(assetId: string): string;
  /**
   * The name shown by someone's laser pointer.
   * @default "老师" for the teacher, "教室" for a classroom
   */
  nameOf?(by: BoardAuthor): string;
}

/** Laser positions sent per second, at most. */
const LASER_RATE = 20;
/** How long a refusal stays on screen (ms). */
const NOTICE_MS = 5000;

/**
 * The lesson board as a participant sees and writes it: toolbar, the 16:9 drawing area and
 * the page bar. The session owns the state and tells the view what changed; the view draws
 * it, and turns pointer input into changes it asks the server for, drawing its own strokes
 * at once on a live layer until the server has sequenced them.
 */
export class BoardView {
  /** The whole board: toolbar, drawing area, page bar. */
  readonly el: HTMLElement;
  readonly #options: BoardViewOptions;
  readonly #teacher: boolean;
  readonly #stage: Stage;
  readonly #page: PageLayer;
  readonly #live: LiveLayer;
  readonly #lasers: LaserLayer;
  readonly #input: SurfaceInput;
  readonly #toolbar: Toolbar;
  readonly #pager: Pager;
  readonly #import: CoursewareImport;
  readonly #notice = h('div', {
    class: 'board-notice',
    'data-testid': 'board-notice',
    role: 'alert',
    hidden: true,
  });
  readonly #laserOut: ReturnType<typeof throttle<LaserPoint>>;
  readonly #offLang: () => void;
  readonly #onKey = (e: KeyboardEvent): void => this.#key(e);
  #state: BoardState | null = null;
  /** Items of the state already seen (items are only ever appended). */
  #seen = 0;
  readonly #byId = new Map<string, BoardItem>();
  #editable = false;
  #tool: ToolName = 'pen';
  #color = COLORS[0]?.value ?? '#000000';
  #level: WidthLevel = 1;
  #text: HTMLInputElement | null = null;
  /** Where the open text input's text goes, as it was when it opened. */
  #textTarget: { x: number; y: number; size: number; color: string; page: string } | null = null;
  #noticeTimer: ReturnType<typeof setTimeout> | null = null;
  #destroyed = false;

  constructor(options: BoardViewOptions) {
    this.#options = options;
    this.#teacher = options.me.role === 'teacher';
    this.#stage = new Stage(() => {
      this.#page.redraw();
      this.#live.redraw();
    });
    this.#page = new PageLayer(this.#stage, (assetId) => options.assetUrl(assetId));
    this.#live = new LiveLayer(this.#stage);
    this.#lasers = new LaserLayer(
      (by) => options.nameOf?.(by) ?? t(by.role === 'teacher' ? 'boardTeacherName' : 'boardClassroomName'),
    );
    this.#stage.box.append(this.#lasers.el);
    this.#stage.live.setAttribute('aria-label', t('boardSurface'));
    this.#input = new SurfaceInput(this.#stage.live, (first, event) => this.#start(first, event));
    this.#laserOut = throttle<LaserPoint>((point) => options.sendLaser(point), 1000 / LASER_RATE);

    this.#toolbar = new Toolbar({
      teacher: this.#teacher,
      onTool: (tool) => this.#choose(tool, this.#color, this.#level),
      onColor: (color) =>
        this.#choose(
          this.#tool === 'eraser' || this.#tool === 'laser' ? 'pen' : this.#tool,
          color,
          this.#level,
        ),
      onWidth: (level) => this.#choose(this.#tool === 'laser' ? 'pen' : this.#tool, this.#color, level),
      onUndo: () => this.#ask({ t: 'undo' }),
      onRedo: () => this.#ask({ t: 'redo' }),
      onClear: () => {
        if (this.#state) this.#ask({ t: 'clear', page: this.#state.page });
      },
    });
    this.#import = new CoursewareImport({
      uploadAsset: (image, size) => options.uploadAsset(image, size),
      addPages: (assetIds) => this.#addPages(assetIds),
      room: () => MAX_PAGES - (this.#state?.pages.length ?? 0),
      maxPages: MAX_PAGES,
    });
    this.#pager = new Pager({
      teacher: this.#teacher,
      onPrev: () => this.#turn(-1),
      onNext: () => this.#turn(1),
      onAdd: () => void this.#addPages([null]).catch((error: Error) => this.#refused(error.message)),
      onImport: (files) => {
        this.#pager.setBusy(true);
        void this.#import.run(files).finally(() => this.#pager.setBusy(false));
      },
    });
    this.#stage.el.append(this.#import.el, this.#notice);
    this.el = h(
      'section',
      {
        class: 'board',
        'data-testid': 'board',
        'data-role': options.me.role,
        'data-seq': '0',
        'data-items': '0',
        'data-page': '',
        'data-editable': 'false',
      },
      this.#toolbar.el,
      this.#stage.el,
      this.#pager.el,
    );
    this.#choose(this.#tool, this.#color, this.#level);
    this.setEditable(this.#teacher);
    this.#offLang = onLangChange(() => {
      this.#toolbar.relabel();
      this.#pager.relabel();
      this.#import.relabel();
      this.#stage.live.setAttribute('aria-label', t('boardSurface'));
    });
    document.addEventListener('keydown', this.#onKey);
  }

  /** Replaces the whole state (first open, resync). */
  setState(state: BoardState): void {
    this.#state = state;
    this.#seen = state.items.length;
    this.#byId.clear();
    for (const item of state.items) this.#byId.set(item.id, item);
    this.#showPage();
    for (const id of this.#live.ids()) if (this.#sequenced(id)) this.#live.delete(id);
    this.#sync();
  }

  /**
   * The state changed by ops the session has folded into it: draws what they touched
   * (`pageOrPenChanged`: a page turn, added pages or the pen changing hands may be among them).
   */
  applied(state: BoardState, touchedItemIds: string[], pageOrPenChanged: boolean): void {
    if (state !== this.#state) {
      this.setState(state);
      return;
    }
    const fresh = state.items.slice(this.#seen);
    this.#seen = state.items.length;
    for (const item of fresh) this.#byId.set(item.id, item);
    if (pageOrPenChanged && state.page !== this.#page.pageId) {
      this.#showPage();
    } else {
      const touched: BoardItem[] = [];
      for (const id of touchedItemIds) {
        const item = this.#byId.get(id);
        if (item) touched.push(item);
      }
      this.#page.update(fresh, touched);
    }
    for (const id of touchedItemIds) if (this.#live.has(id) && this.#sequenced(id)) this.#live.delete(id);
    this.#sync();
  }

  /** Someone's laser pointer moved (null: hidden). */
  laser(by: BoardAuthor, point: LaserPoint): void {
    // Our own pointer is drawn as it moves; an echo from the server would lag behind it.
    if (authorKey(by) === authorKey(this.#options.me)) return;
    this.#lasers.set(by, point);
  }

  /** Whether this participant may write now; read-only hides the tools and says who holds the pen. */
  setEditable(editable: boolean): void {
    this.#editable = editable;
    this.el.dataset['editable'] = String(editable);
    this.#toolbar.setEditable(editable);
    this.#stage.live.classList.toggle('board-readonly-surface', !editable);
    if (!editable) {
      this.#input.cancel();
      this.#closeText(false);
    }
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#input.destroy();
    this.#closeText(false);
    this.#laserOut.cancel();
    this.#import.destroy();
    this.#page.destroy();
    this.#live.destroy();
    this.#lasers.destroy();
    this.#stage.destroy();
    this.#offLang();
    document.removeEventListener('keydown', this.#onKey);
    if (this.#noticeTimer) clearTimeout(this.#noticeTimer);
    this.el.remove();
  }

  #showPage(): void {
    const state = this.#state;
    if (!state) return;
    this.#input.cancel();
    this.#closeText(false);
    this.#page.show(state);
    this.#live.pageId = state.page;
    this.#live.invalidate();
    this.#lasers.showPage(state.page);
  }

  /** Keeps the element's data attributes, undo/redo and the page bar up to date. */
  #sync(): void {
    const state = this.#state;
    if (!state) return;
    this.el.dataset['seq'] = String(state.seq);
    this.el.dataset['items'] = String(this.#page.visibleCount);
    this.el.dataset['page'] = state.page;
    const history = state.history[authorKey(this.#options.me)];
    this.#toolbar.history(!!history?.done.length, !!history?.undone.length);
    this.#pager.show(state.pages.findIndex((p) => p.id === state.page) + 1, state.pages.length);
  }

  /** Whether the server has sequenced an own item as far as the live layer shows it. */
  #sequenced(id: string): boolean {
    const item = this.#byId.get(id);
    return !!item && (item.done || item.hidden);
  }

  #choose(tool: ToolName, color: string, level: WidthLevel): void {
    this.#tool = tool;
    this.#color = color;
    this.#level = level;
    this.#toolbar.select(tool, color, level);
    this.el.dataset['tool'] = tool;
    this.#stage.live.dataset['tool'] = tool;
  }

  #start(first: InputPoint, event: PointerEvent): ReturnType<typeof startGesture> | null {
    const state = this.#state;
    if (!state || !this.#editable) return null;
    this.#closeText(true);
    // A pen's eraser end (or barrel eraser button) erases whatever tool is chosen.
    const tool: ToolName = event.pointerType === 'pen' && event.buttons & 32 ? 'eraser' : this.#tool;
    const ctx: GestureContext = {
      me: this.#options.me,
      page: state.page,
      tool,
      color: this.#color,
      width: toolWidth(tool, this.#level),
      live: this.#live,
      send: (change) => this.#options.send(change),
      laser: (point) => this.#ownLaser(point),
      pageItems: () => this.#page.items,
      sequenced: (id) => this.#sequenced(id),
      refused: (message) => this.#refused(message),
      openText: (at) => this.#openText(at),
    };
    return startGesture(ctx, first);
  }

  #ownLaser(point: LaserPoint): void {
    this.#lasers.set(this.#options.me, point);
    if (point) this.#laserOut.call(point);
    else {
      this.#laserOut.cancel();
      this.#options.sendLaser(null);
    }
  }

  /** Asks for a change, showing the refusal if there is one. */
  #ask(change: BoardChange): void {
    this.#options.send(change).catch((error: Error) => this.#refused(error.message));
  }

  #refused(message: string): void {
    if (this.#destroyed) return;
    this.#notice.textContent = fmt('boardRefused', { reason: refusalText(message) });
    this.#notice.hidden = false;
    if (this.#noticeTimer) clearTimeout(this.#noticeTimer);
    this.#noticeTimer = setTimeout(() => (this.#notice.hidden = true), NOTICE_MS);
  }

  #turn(by: number): void {
    const state = this.#state;
    if (!state || !this.#teacher) return;
    const at = state.pages.findIndex((p) => p.id === state.page);
    const next = state.pages[at + by];
    if (next) this.#ask({ t: 'page', page: next.id });
  }

  /** Adds pages (courseware asset ids, or null for blank) after the current page. */
  #addPages(backgrounds: (string | null)[]): Promise<void> {
    const state = this.#state;
    if (!state) return Promise.reject(new Error('the board is not open'));
    const pages = backgrounds.map((background) => ({ id: newId(this.#options.me), background }));
    return this.#options.send({ t: 'addPages', pages, after: state.page });
  }

  /** Opens the text input where the text tool tapped. */
  #openText(at: InputPoint): void {
    const state = this.#state;
    if (!state) return;
    this.#closeText(true);
    const size = toolWidth('text', this.#level);
    const scale = this.#stage.box.clientWidth / BOARD_WIDTH;
    const input = h('input', {
      class: 'board-text-input',
      'data-testid': 'board-text-input',
      type: 'text',
      maxlength: MAX_TEXT_LENGTH,
      placeholder: t('boardTextHint'),
      enterkeyhint: 'done',
    });
    input.style.left = `${(at.x / BOARD_WIDTH) * 100}%`;
    input.style.top = `${((at.y - size) / BOARD_HEIGHT) * 100}%`;
    input.style.font = textFont(size * scale);
    input.style.color = this.#color;
    const color = this.#color;
    const page = state.page;
    input.addEventListener('keydown', (e) => {
      e.stopPropagation();
      if (e.key === 'Enter' && !e.isComposing) this.#closeText(true);
      if (e.key === 'Escape') this.#closeText(false);
    });
    input.addEventListener('blur', () => this.#closeText(true));
    input.dataset['x'] = String(at.x);
    input.dataset['y'] = String(at.y);
    this.#text = input;
    this.#stage.box.append(input);
    // After the pointer's own focus handling, or the tap would blur it at once.
    requestAnimationFrame(() => input.focus());
    this.#textTarget = { x: at.x, y: at.y, size, color, page };
  }

  /** Closes the text input, sending its text when `commit` and there is some. */
  #closeText(commit: boolean): void {
    const input = this.#text;
    const target = this.#textTarget;
    if (!input || !target) return;
    this.#text = null;
    this.#textTarget = null;
    input.remove();
    const text = input.value.trim();
    if (!commit || !text || !this.#editable) return;
    const id = newId(this.#options.me);
    const points = [target.x, target.y];
    this.#live.set({
      id,
      page: target.page,
      author: authorKey(this.#options.me),
      tool: 'text',
      color: target.color,
      width: target.size,
      points,
      text,
      done: true,
      hidden: false,
    });
    this.#options
      .send({
        t: 'draw',
        id,
        page: target.page,
        tool: 'text',
        color: target.color,
        width: target.size,
        points,
        text,
      })
      .then(
        () => {
          if (this.#sequenced(id)) this.#live.delete(id);
        },
        (error: Error) => {
          this.#live.delete(id);
          this.#refused(error.message);
        },
      );
  }

  /** Keyboard: undo and redo for the laptop, page keys (a presentation clicker) for the teacher. */
  #key(e: KeyboardEvent): void {
    if (!this.el.isConnected || !this.#state) return;
    const target = e.target as HTMLElement | null;
    if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable))
      return;
    const mod = e.ctrlKey || e.metaKey;
    if (this.#editable && mod && e.key.toLowerCase() === 'z') {
      e.preventDefault();
      this.#ask({ t: e.shiftKey ? 'redo' : 'undo' });
    } else if (this.#editable && mod && e.key.toLowerCase() === 'y') {
      e.preventDefault();
      this.#ask({ t: 'redo' });
    } else if (this.#teacher && (e.key === 'PageDown' || e.key === 'PageUp')) {
      e.preventDefault();
      this.#turn(e.key === 'PageDown' ? 1 : -1);
    }
  }
}
