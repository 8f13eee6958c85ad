/** Proto-JSON details: doubles that JSON cannot spell are strings, unset fields are left out. */
export function protoDouble(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return value;
}

export function withoutUnset<T extends Record<string, unknown>>(object: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [key, value] of Object.entries(object)) {
    if (value !== undefined && value !== null) (out as Record<string, unknown>)[key] = value;
  }
  return out;
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
