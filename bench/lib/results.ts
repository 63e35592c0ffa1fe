import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The machine a benchmark ran on, recorded with its figures. */
export function machine(): Record<string, unknown> {
  return {
    node: process.version,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryMiB: Math.round(os.totalmem() / 1024 / 1024),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** Writes `bench/results/<name>-<date>.json` and `<name>-latest.json`, and says so. */
export async function writeResults(name: string, date: Date, result: unknown): Promise<void> {
  const dir = path.resolve(import.meta.dirname, '..', 'results');
  await mkdir(dir, { recursive: true });
  const json = `${JSON.stringify(result, null, 2)}\n`;
  const dated = path.join(dir, `${name}-${date.toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(dated, json);
  await writeFile(path.join(dir, `${name}-latest.json`), json);
  console.log(`\nwrote ${path.relative(process.cwd(), dated)} and ${name}-latest.json`);
}

/** A plain-text table: the first two columns left-aligned (labels), the others right-aligned (figures). */
export function textTable(header: readonly string[], rows: readonly string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)];
}
