import type { Response } from 'express';

/** Media types of the spreadsheets the platform hands out. */
export const SHEET_MEDIA_TYPES = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
} as const;

/** Sends a file as a download, its (Chinese) name encoded for every browser. */
export function sendDownload(res: Response, data: Buffer, name: string, type: string): void {
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
  res.send(data);
}
