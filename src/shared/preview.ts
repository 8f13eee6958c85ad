/** The longest rendering of a caller's value that an error message carries. */
export const MAX_PREVIEW_CHARS = 200;

const TOO_LONG = Symbol('too long');

/**
 * A caller's value as an error message shows it: JSON, cut short. Error messages must not
 * stringify unbounded input: a 1 MiB list would become a 1 MiB message, and a list nested
 * 100 000 deep would overflow the stack inside the error handler (a 500 instead of a 400).
 * Stringifying stops as soon as the budget is spent, so at most a few dozen levels are visited.
 */
export function previewValue(value: unknown, maxChars = MAX_PREVIEW_CHARS): string {
  if (typeof value === 'string') return JSON.stringify(value.length > maxChars ? `${value.slice(0, maxChars)}…` : value);
  if (typeof value !== 'object' || value === null) return String(value);
  let budget = maxChars;
  try {
    return JSON.stringify(value, (_key, item: unknown) => {
      budget -= typeof item === 'string' ? item.length + 2 : 4;
      if (budget < 0) throw TOO_LONG;
      return item;
    });
  } catch (error) {
    if (error !== TOO_LONG) throw error;
  }
  return Array.isArray(value) ? `[a list of ${value.length} items]` : '{an object}';
}

/** Text a caller sent (a field name, a path), cut to a length an error message can carry. */
export function previewText(text: string, maxChars = MAX_PREVIEW_CHARS): string {
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}
