/** Input bounds. Everything is bounded: a 10,000-line order or a megabyte name is a bad request, not a workload. */
export const LIMITS = {
  idLengthMax: 64,
  nameLengthMax: 200,
  addressLengthMax: 500,
  reasonLengthMax: 200,
  orderLinesMax: 100,
  quantityMax: 10_000,
  stockDeltaAbsMax: 1_000_000,
  priceCentsMax: 100_000_000,
} as const;

/**
 * Ids are opaque but printable: ASCII letters and digits, `_`, `-`, `.`, `:`. ASCII on purpose, not Unicode letters:
 * an id travels in URLs, logs and message ids, where `é` has two spellings (NFC, NFD) that look the same and compare
 * different — two customers to us, one to the person typing.
 */
export const ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;
