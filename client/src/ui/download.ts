import { send } from '../api.ts';
import { h } from './dom.ts';

/** Saves a response body as a file named by the server's Content-Disposition. */
export async function saveDownload(path: string, fallbackName: string): Promise<void> {
  const res = await send(path);
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
  const disposition = res.headers.get('content-disposition') ?? '';
  const name = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1];
  saveBlob(await res.blob(), name ? decodeURIComponent(name) : fallbackName);
}

/** Offers `blob` to the user as a file download named `name`. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
