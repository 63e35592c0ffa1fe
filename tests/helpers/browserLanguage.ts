import { vi } from 'vitest';

/**
 * The browser globals client/src/i18n.ts reads when it loads (localStorage for the chosen
 * language, document.documentElement for its `lang`), stubbed for unit tests in Node.
 * Call before importing (dynamically) anything that imports i18n.ts.
 */
export function stubBrowserLanguage(): void {
  const stored = new Map<string, string>();
  vi.stubGlobal('localStorage', {
    getItem: (k: string) => stored.get(k) ?? null,
    setItem: (k: string, v: string) => void stored.set(k, v),
  });
  vi.stubGlobal('document', { documentElement: { lang: '' } });
}
