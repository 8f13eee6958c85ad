import { invalid } from '../shared/errors.ts';
import { previewText } from '../shared/preview.ts';
import { assertStorableText } from '../shared/storable-text.ts';

/**
 * Small text forms, as curl sends them with `-F` (multipart) or `-d` (urlencoded): GitLab's
 * trigger API is documented with both. Only text fields are read; a file part is refused.
 */
export function parseForm(contentType: string, body: Buffer): Record<string, string> {
  const fields = readFields(contentType, body);
  for (const [name, value] of Object.entries(fields)) {
    assertStorableText(name, 'a form field name');
    assertStorableText(value, `form field '${previewText(name)}'`);
  }
  return fields;
}

function readFields(contentType: string, body: Buffer): Record<string, string> {
  if (contentType.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!contentType.startsWith('multipart/form-data') || !boundary) throw invalid('the body must be JSON, application/x-www-form-urlencoded or multipart/form-data');
  const marker = `--${boundary[1] ?? boundary[2]}`;
  const fields: Record<string, string> = {};
  for (const part of body.toString('utf8').split(marker).slice(1)) {
    if (part.startsWith('--')) break;
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const headers = part.slice(0, split);
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    if (name === undefined) continue;
    if (/filename=/i.test(headers)) throw invalid(`form field '${name}' is a file; only text fields are accepted`);
    fields[name] = part.slice(split + 4).replace(/\r\n$/, '');
  }
  return fields;
}

/** GitLab's `variables[KEY]=value` form fields as an object. */
export function bracketVariables(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    const match = /^variables\[([^\]]+)\]$/.exec(name);
    if (match) out[match[1]!] = value;
  }
  return out;
}
