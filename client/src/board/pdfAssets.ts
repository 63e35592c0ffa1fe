/// <reference types="vite/client" />
/**
 * The data files PDF.js fetches on demand, bundled as assets: the Adobe CMaps (needed for
 * the CJK fonts of most Chinese courseware), the standard fonts and the image decoders (JPEG
 * 2000 and JBIG2, common in scanned documents). Imported lazily with PDF.js itself; only
 * their URLs are in this chunk, each file is fetched when a PDF needs it.
 */

const ROOT = '../../../node_modules/pdfjs-dist/';
const cmaps = import.meta.glob<string>('../../../node_modules/pdfjs-dist/cmaps/*.bcmap', {
  query: '?url&no-inline',
  import: 'default',
  eager: true,
});
const fonts = import.meta.glob<string>(
  [
    '../../../node_modules/pdfjs-dist/standard_fonts/*.pfb',
    '../../../node_modules/pdfjs-dist/standard_fonts/*.ttf',
  ],
  {
    query: '?url&no-inline',
    import: 'default',
    eager: true,
  },
);
const wasm = import.meta.glob<string>(
  ['../../../node_modules/pdfjs-dist/wasm/*.wasm', '../../../node_modules/pdfjs-dist/wasm/*.js'],
  {
    query: '?url&no-inline',
    import: 'default',
    eager: true,
  },
);

async function load(files: Record<string, string>, path: string): Promise<Uint8Array> {
  const url = files[ROOT + path];
  if (!url) throw new Error(`PDF.js asked for ${path}, which is not bundled`);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load ${path}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Serves `getDocument`'s CMaps from the bundle. */
export class BundledCMaps {
  async fetch({ name }: { name: string }): Promise<{ cMapData: Uint8Array; isCompressed: boolean }> {
    return { cMapData: await load(cmaps, `cmaps/${name}.bcmap`), isCompressed: true };
  }
}

/** Serves `getDocument`'s standard fonts from the bundle. */
export class BundledFonts {
  fetch({ filename }: { filename: string }): Promise<Uint8Array> {
    return load(fonts, `standard_fonts/${filename}`);
  }
}

/** Serves `getDocument`'s image decoders from the bundle. */
export class BundledWasm {
  fetch({ filename }: { filename: string }): Promise<Uint8Array> {
    return load(wasm, `wasm/${filename}`);
  }
}
