/**
 * Compile-time checks that two definitions agree (types only; nothing at run time). Use as
 * `export type _LoginBody = Assert<Same<z.infer<typeof LoginSchema>, LoginRequest>>;`: when
 * the two drift apart, `Same` gives `false` and `Assert<false>` does not compile.
 */

/** Compiles only for `true`. */
export type Assert<T extends true> = T;

type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * Whether A and B are the same object type: each assignable to the other, with the same keys
 * (an optional key that only one declares counts as a difference).
 */
export type Same<A, B> = Mutual<A, B> extends true ? Mutual<keyof A, keyof B> : false;
