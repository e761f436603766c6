/**
 * Numeric fields that take fractional values get V8's double representation
 * as soon as their object is built, not the first time a fraction lands in
 * them mid-run.
 *
 * V8 gives a field the representation of the first value stored in it: a
 * small integer (0, 1, a node count) makes it a "Smi" field. When a fraction
 * arrives later — a node scale-down's rate, the agents left to delete after a
 * rollback, a network block lifting — the object's hidden class is replaced
 * (Smi → Double is not an in-place change), every optimised function that
 * checked the old hidden class is deoptimised ("wrong map"), and the twin's
 * cluster-step functions are compiled again: in `bench twin` two such rounds
 * happened mid-run (159 optimising compilations in the run; 109 with this). A field declared
 * without an initialiser is worse: it starts as `undefined`, becomes
 * "Tagged", and every store of a fraction into it allocates a heap number.
 * Storing a fraction once, at construction, and then the real value gives the
 * field its final representation before any code is optimised. Values do not
 * change (the field holds exactly what it held), so neither does any output.
 *
 * @example
 *   storeAsDoubles(state, ['nodeRate', 'agentsToDelete']);
 */

/** Not an integer, so V8 records a double representation for the field. */
const FRACTION = 0.5;

/** Stores a fraction into each named numeric field of `o`, then its own value again. */
export function storeAsDoubles<T extends object>(o: T, keys: readonly (keyof T & string)[]): void {
  const fields = o as unknown as Record<string, number>;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const v = fields[k] as number;
    fields[k] = FRACTION;
    fields[k] = v;
  }
}
