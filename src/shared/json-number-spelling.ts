import { jsonSourceOf } from './json-depth.ts';

/**
 * How a caller spelled the numbers at the top level of a JSON body, for error messages that
 * quote a value as MLflow does. MLflow's server is Python: `{"name": 9.0}` is the float `9.0`
 * and `{"name": 9}` the int `9`, and its messages print them so ("Invalid value 9.0 for
 * parameter …"); JSON.parse gives 9 for both. parseUntrustedJson keeps the body's text beside
 * the parsed object (json-depth.ts), and it is scanned only when a message needs it.
 */
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** The end of the JSON string that starts at `start` (the index after its closing quote). */
function afterString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return text.length;
}

/** The literal of the number under `key` in the top-level object `text` (the last one, as JSON.parse keeps), if it is one. */
function literalOf(text: string, key: string): string | undefined {
  let depth = 0;
  let expectKey = false;
  let found: string | undefined;
  for (let i = 0; i < text.length;) {
    const c = text[i]!;
    if (c === '"') {
      const end = afterString(text, i);
      if (depth === 1 && expectKey) {
        expectKey = false;
        let name: unknown;
        try {
          name = JSON.parse(text.slice(i, end));
        } catch {
          return undefined;
        }
        let j = end;
        while (/\s/.test(text[j] ?? '')) j++;
        if (text[j] !== ':') return undefined;
        j++;
        while (/\s/.test(text[j] ?? '')) j++;
        NUMBER.lastIndex = j;
        const number = NUMBER.exec(text);
        if (name === key) found = number ? number[0] : undefined;
        i = number ? NUMBER.lastIndex : j;
        continue;
      }
      i = end;
      continue;
    }
    if (c === '{' || c === '[') {
      depth++;
      expectKey = c === '{' && depth === 1;
    } else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 1) expectKey = true;
    i++;
  }
  return found;
}

/** Python's repr of a float: the shortest digits, fixed between 1e-4 and 1e16, else d.dde±XX. */
function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  const point = exponent + 1;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** How MLflow prints the number the caller sent under `key` of `body`, when known. */
export function pythonSpellingOf(body: object, key: string): string | undefined {
  const text = jsonSourceOf(body);
  const literal = text === undefined ? undefined : literalOf(text, key);
  if (literal === undefined) return undefined;
  if (/^-?\d+$/.test(literal)) return literal.replace(/^-0$/, '0');
  return pythonFloat(Number(literal));
}
