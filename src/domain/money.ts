/**
 * Money is held as integer cents everywhere inside the system, so sums are exact and folds are deterministic.
 * It becomes a decimal number of currency units only at the HTTP edge (the article shows `150.75`).
 */
export type Cents = number;

export const centsToAmount = (cents: Cents): number => Math.round(cents) / 100;

/** Parses a decimal amount (e.g. 19.99) into cents; undefined when it is not a finite, non-negative amount with at most 2 decimals. */
export function amountToCents(amount: number): Cents | undefined {
  if (!Number.isFinite(amount) || amount < 0) return undefined;
  const cents = Math.round(amount * 100);
  if (Math.abs(cents - amount * 100) > 1e-6) return undefined;
  if (!Number.isSafeInteger(cents)) return undefined;
  return cents;
}
