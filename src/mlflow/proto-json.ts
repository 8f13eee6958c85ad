/** Proto-JSON details: doubles that JSON cannot spell are strings, unset fields are left out. */
export function protoDouble(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return value;
}

/** `{ [key]: items }` when there are items: proto-JSON leaves an empty repeated field out. */
export function listed<K extends string, T>(key: K, items: readonly T[]): { [P in K]?: T[] } {
  return (items.length > 0 ? { [key]: [...items] } : {}) as { [P in K]?: T[] };
}

/** `{ [key]: value }` when the value is set: proto-JSON leaves an unset field out. */
export function given<K extends string, T>(key: K, value: T | null | undefined): { [P in K]?: T } {
  return (value === null || value === undefined ? {} : { [key]: value }) as { [P in K]?: T };
}

/**
 * An answer already written as JSON text. The largest answers (tens of thousands of metric
 * points) are cheaper to write directly than as objects that are then stringified.
 */
export class JsonText {
  /** JSON text, as a string or already encoded as UTF-8. */
  constructor(readonly body: string | Buffer) {}
}

/** A double as proto-JSON text: NaN and the infinities are strings. */
export function protoDoubleText(value: number): string {
  return Number.isFinite(value) ? String(value) : `"${protoDouble(value) as string}"`;
}
