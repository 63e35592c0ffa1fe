/// <reference types="vite/client" />
/**
 * Courseware to board pages: each page of a PDF rendered in the browser with PDF.js, or an
 * image as it is, as an image no wider than {@link PAGE_WIDTH} pixels. PDF.js (about 1 MB)
 * is loaded only when a PDF is imported.
 */

/** Width a PDF page is rendered at, and the most an image may have (pixels). */
export const PAGE_WIDTH = 1600;
/** JPEG quality of rendered pages. */
export const JPEG_QUALITY = 0.85;
/** What the file input accepts. */
export const ACCEPT = 'application/pdf,.pdf,image/png,image/jpeg,image/webp';

/** One page ready to upload. */
export interface CoursewarePage {
  image: Blob;
  width: number;
  height: number;
}

/** Why a file cannot be imported. */
export type CoursewareErrorKind = 'encrypted' | 'broken-pdf' | 'broken-image' | 'unsupported';

export class CoursewareError extends Error {
  override readonly name = 'CoursewareError';
  constructor(
    readonly kind: CoursewareErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** An opened courseware file: its pages are rendered one at a time, on demand. */
export interface Courseware {
  readonly pageCount: number;
  /** Renders page `index` (0-based); `signal` aborts the rendering. */
  render(index: number, signal?: AbortSignal): Promise<CoursewarePage>;
  /** Frees the document (PDF.js keeps it in its worker). */
  close(): Promise<void>;
}

/** Whether a file is a PDF, an image the board takes, or neither (by type, else by name). */
export function coursewareKind(file: { name: string; type: string }): 'pdf' | 'image' | null {
  const type = file.type.toLowerCase();
  const name = file.name.toLowerCase();
  if (type === 'application/pdf' || (!type && name.endsWith('.pdf'))) return 'pdf';
  if (['image/png', 'image/jpeg', 'image/webp'].includes(type)) return 'image';
  if (!type && /\.(png|jpe?g|webp)$/.test(name)) return 'image';
  return null;
}

/** The size of an image scaled down (never up) to at most `maxWidth` wide, aspect kept. */
export function fitWidth(
  width: number,
  height: number,
  maxWidth: number = PAGE_WIDTH,
): { width: number; height: number } {
  if (width <= maxWidth) return { width, height };
  return { width: maxWidth, height: Math.max(1, Math.round((height * maxWidth) / width)) };
}

/** Opens a PDF or an image; rejects with a {@link CoursewareError}. */
export async function openCourseware(file: File): Promise<Courseware> {
  const kind = coursewareKind(file);
  if (kind === 'pdf') return openPdf(file);
  if (kind === 'image') return openImage(file);
  throw new CoursewareError('unsupported', `${file.name}: not a PDF, PNG, JPEG or WebP file`);
}

async function openImage(file: File): Promise<Courseware> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new CoursewareError('broken-image', `${file.name}: cannot decode the image`);
  }
  const image = bitmap;
  return {
    pageCount: 1,
    async render() {
      const size = fitWidth(image.width, image.height);
      if (size.width === image.width) return { image: file, ...size };
      const canvas = document.createElement('canvas');
      canvas.width = size.width;
      canvas.height = size.height;
      const ctx = canvas.getContext('2d');
      if (!ctx) throw new CoursewareError('broken-image', 'no 2D canvas');
      // JPEG has no transparency: a transparent PNG goes onto white, like the board.
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, size.width, size.height);
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(image, 0, 0, size.width, size.height);
      const blob = await jpeg(canvas);
      canvas.width = 0;
      return { image: blob, ...size };
    },
    close() {
      image.close();
      return Promise.resolve();
    },
  };
}

async function openPdf(file: File): Promise<Courseware> {
  const [pdfjs, worker, assets] = await Promise.all([
    import('pdfjs-dist'),
    import('pdfjs-dist/build/pdf.worker.min.mjs?url'),
    import('./pdfAssets.ts'),
  ]);
  pdfjs.GlobalWorkerOptions.workerSrc = worker.default;
  const task = pdfjs.getDocument({
    data: new Uint8Array(await file.arrayBuffer()),
    CMapReaderFactory: assets.BundledCMaps,
    StandardFontDataFactory: assets.BundledFonts,
    WasmFactory: assets.BundledWasm,
    isEvalSupported: false,
  });
  let doc: Awaited<typeof task.promise>;
  try {
    doc = await task.promise;
  } catch (error) {
    await task.destroy();
    const name = error instanceof Error ? error.name : '';
    if (name === 'PasswordException')
      throw new CoursewareError('encrypted', `${file.name}: the PDF is encrypted`);
    throw new CoursewareError(
      'broken-pdf',
      `${file.name}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const pdf = doc;
  return {
    pageCount: pdf.numPages,
    async render(index, signal) {
      signal?.throwIfAborted();
      const page = await pdf.getPage(index + 1);
      try {
        const unit = page.getViewport({ scale: 1 });
        const viewport = page.getViewport({ scale: PAGE_WIDTH / unit.width });
        const canvas = document.createElement('canvas');
        canvas.width = Math.round(viewport.width);
        canvas.height = Math.round(viewport.height);
        const ctx = canvas.getContext('2d');
        if (!ctx) throw new CoursewareError('broken-pdf', 'no 2D canvas');
        const rendering = page.render({ canvas, canvasContext: ctx, viewport, background: '#ffffff' });
        const cancel = (): void => rendering.cancel();
        signal?.addEventListener('abort', cancel, { once: true });
        try {
          await rendering.promise;
        } catch (error) {
          signal?.throwIfAborted();
          throw new CoursewareError(
            'broken-pdf',
            `${file.name}, page ${index + 1}: ${error instanceof Error ? error.message : String(error)}`,
          );
        } finally {
          signal?.removeEventListener('abort', cancel);
        }
        const image = await jpeg(canvas);
        const size = { width: canvas.width, height: canvas.height };
        canvas.width = 0;
        return { image, ...size };
      } finally {
        page.cleanup();
      }
    },
    close: () => pdf.destroy(),
  };
}

function jpeg(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) =>
        blob ? resolve(blob) : reject(new CoursewareError('broken-image', 'cannot encode the page')),
      'image/jpeg',
      JPEG_QUALITY,
    ),
  );
}
