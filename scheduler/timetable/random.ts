/**
 * Seeded randomness for the solver and the benchmark's generator: equal seeds give equal
 * sequences on every platform (no Math.random in the library).
 */

/** A source of numbers in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: a small, fast 32-bit generator, good enough for local search.
 * @param seed any number; only its low 32 bits are used.
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A whole number in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/** A whole number in [min, max], both included. */
export function randomBetween(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** One element of a non-empty list, or undefined for an empty one. */
export function pick<T>(random: Random, items: readonly T[]): T | undefined {
  return items[Math.floor(random() * items.length)];
}
