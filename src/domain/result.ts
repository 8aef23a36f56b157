/** Expected failures are values, not exceptions (emmett style). */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });

/** One problem with one field of an input, addressed by a JSON-path-like string such as `items[1].quantity`. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}
