import { h } from '../ui/dom.ts';
import { tr } from '../ui/text.ts';
import { CoursewareError, openCourseware } from './courseware.ts';
import type { Courseware } from './courseware.ts';
import { fmt } from './messages.ts';

export interface CoursewareImportOptions {
  /** Uploads one page image; resolves with its asset id. */
  uploadAsset(image: Blob, size: { width: number; height: number }): Promise<string>;
  /** Adds the uploaded pages to the board, in order, after the current page. */
  addPages(assetIds: string[]): Promise<void>;
  /** How many more pages the board can take. */
  room(): number;
  /** Limit of pages per board (for the message). */
  maxPages: number;
}

/**
 * Imports courseware files as board pages: renders each page, uploads it (the next page is
 * rendered while the previous one uploads), then adds them all in one change, so that a
 * cancelled or failed import adds nothing. Shows its progress, a cancel button and errors.
 */
export class CoursewareImport {
  readonly el: HTMLElement;
  readonly #bar = h('progress', { class: 'board-progress', max: 1, value: 0 });
  readonly #text = h('span', { class: 'board-import-text' });
  readonly #cancel: HTMLButtonElement;
  readonly #dismiss: HTMLButtonElement;
  #abort: AbortController | null = null;
  #progress: { n: number; m: number } | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(readonly options: CoursewareImportOptions) {
    this.#cancel = h(
      'button',
      { class: 'btn', type: 'button', 'data-testid': 'board-import-cancel', onclick: () => this.cancel() },
      tr('boardImportCancel'),
    );
    this.#dismiss = h(
      'button',
      { class: 'btn', type: 'button', 'data-testid': 'board-import-dismiss', onclick: () => this.#hide() },
      '✕',
    );
    this.el = h(
      'div',
      { class: 'board-import-panel', 'data-testid': 'board-import-progress', role: 'status', hidden: true },
      this.#text,
      this.#bar,
      this.#cancel,
      this.#dismiss,
    );
  }

  /** Whether an import is running. */
  get busy(): boolean {
    return this.#abort !== null;
  }

  /** Imports `files` (PDFs and images, in the order given). */
  async run(files: readonly File[]): Promise<void> {
    if (this.#abort) return;
    const abort = new AbortController();
    this.#abort = abort;
    const opened: Courseware[] = [];
    try {
      this.#show(0, files.length);
      for (const file of files) opened.push(await openCourseware(file));
      const total = opened.reduce((n, c) => n + c.pageCount, 0);
      if (total > this.options.room())
        throw new Error(fmt('boardTooManyPages', { max: this.options.maxPages }));
      const ids: string[] = [];
      let uploading: Promise<void> = Promise.resolve();
      let n = 0;
      for (const courseware of opened) {
        for (let i = 0; i < courseware.pageCount; i++) {
          abort.signal.throwIfAborted();
          this.#show(++n, total);
          const page = await courseware.render(i, abort.signal);
          await uploading;
          abort.signal.throwIfAborted();
          const at = n - 1;
          uploading = this.options
            .uploadAsset(page.image, { width: page.width, height: page.height })
            .then((id) => {
              ids[at] = id;
            });
          // Awaited on the next page; meanwhile its failure must not go unhandled.
          uploading.catch(() => undefined);
        }
      }
      await uploading;
      abort.signal.throwIfAborted();
      if (ids.length) await this.options.addPages(ids);
      this.#hide();
    } catch (error) {
      if (abort.signal.aborted) this.#message(fmt('boardImportCancelled', {}), 3000);
      else this.#message(fmt('boardImportFailed', { reason: reason(error) }));
    } finally {
      this.#abort = null;
      for (const courseware of opened) courseware.close().catch(() => undefined);
    }
  }

  /** Stops the import in progress; nothing is added to the board. */
  cancel(): void {
    this.#abort?.abort();
  }

  relabel(): void {
    if (this.#progress) this.#show(this.#progress.n, this.#progress.m);
  }

  destroy(): void {
    this.cancel();
    if (this.#timer) clearTimeout(this.#timer);
  }

  #show(n: number, m: number): void {
    this.#clearTimer();
    this.#progress = { n, m };
    this.el.hidden = false;
    this.el.dataset['state'] = 'running';
    this.#bar.hidden = false;
    this.#bar.max = Math.max(1, m);
    this.#bar.value = Math.max(0, n - 1);
    this.#text.textContent = n ? fmt('boardImporting', { n, m }) : '';
    this.#cancel.hidden = false;
    this.#dismiss.hidden = true;
  }

  #message(text: string, hideAfter?: number): void {
    this.#clearTimer();
    this.#progress = null;
    this.el.hidden = false;
    this.el.dataset['state'] = hideAfter ? 'cancelled' : 'error';
    this.#bar.hidden = true;
    this.#text.textContent = text;
    this.#cancel.hidden = true;
    this.#dismiss.hidden = false;
    if (hideAfter) this.#timer = setTimeout(() => this.#hide(), hideAfter);
  }

  #hide(): void {
    this.#clearTimer();
    this.#progress = null;
    this.el.hidden = true;
    delete this.el.dataset['state'];
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

function reason(error: unknown): string {
  if (error instanceof CoursewareError) {
    switch (error.kind) {
      case 'encrypted':
        return fmt('boardPdfEncrypted', {});
      case 'broken-pdf':
        return `${fmt('boardPdfBroken', {})} (${error.message})`;
      case 'broken-image':
        return `${fmt('boardImageBroken', {})} (${error.message})`;
      case 'unsupported':
        return fmt('boardUnsupported', {});
    }
  }
  return error instanceof Error ? error.message : String(error);
}
