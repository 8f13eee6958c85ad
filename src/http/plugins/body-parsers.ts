import { isUtf8 } from 'node:buffer';
import { AppError } from '../../shared/errors.ts';
import { parseUntrustedJson } from '../../shared/json-depth.ts';
import type { App } from '../types.ts';
import { InputErrors } from '../../shared/input-errors.ts';

/**
 * JSON bodies are read as bytes and checked to be UTF-8 before parsing: the default parser
 * would decode invalid bytes to U+FFFD and store mangled names without complaint. Nesting is
 * bounded (json-depth.ts) so that nothing downstream recurses 100 000 levels deep.
 */
export function installJsonParser(app: App): void {
  // Only JSON is parsed by default; routes that take raw uploads add their own parser.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  const parse = (_request: unknown, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    const bytes = body as Buffer;
    if (bytes.length === 0) return done(null, undefined);
    if (!isUtf8(bytes)) return done(InputErrors.INVALID_UTF8(), undefined);
    try {
      done(null, parseUntrustedJson(bytes));
    } catch (error) {
      done(error instanceof AppError ? error : InputErrors.MALFORMED_JSON({ detail: (error as Error).message }), undefined);
    }
  };
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parse);
  app.addContentTypeParser(/^application\/[\w.+-]+\+json$/, { parseAs: 'buffer' }, parse);
}
