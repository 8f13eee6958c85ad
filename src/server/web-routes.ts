import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Type } from 'typebox';
import { replies } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { WebUiNotBuilt } from './contract.ts';

/** What the web UI's files are served as, by extension. */
const MEDIA_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};
const UNKNOWN_MEDIA_TYPE = 'application/octet-stream';

/** Bytes streamed from a file: documented as binary, typed as the stream the handler sends. */
const StreamedFile = Type.Unsafe<Readable>(Type.String({ format: 'binary' }));

/** A page of the web UI (index.html, whose router takes over) or one of its built files. */
const WebFile = {
  description: 'index.html for every page of the app, or one of its built files',
  content: Object.fromEntries([...Object.values(MEDIA_TYPES), UNKNOWN_MEDIA_TYPE].map((type) => [type.split(';')[0]!, { schema: StreamedFile }])),
};

/**
 * Paths the single-page app must not swallow: an unknown API URL stays a JSON 404, and so does a
 * git smart-HTTP URL the git routes did not take (a project id they cannot read), which git would
 * otherwise receive as a page of HTML.
 */
const NOT_THE_APP = /^\/(api|ajax-api|-)(\/|$)|\.git(\/|$)/;

/** `//x` at the server root, or `/api/v4/projects/<id>/ml/mlflow//x`. */
const DOUBLED_AFTER_TRACKING_URI = /^(\/api\/v4\/projects\/[^/]+\/ml\/mlflow)?\/{2,}[^/]/;

/**
 * Serves the web UI (built by Vite into web/dist) from the same origin as the API: the built
 * assets with long caching, and index.html for every other page so that the app's own router
 * takes over. No CDN, no third-party origin: the page's CSP says so.
 */
export async function webRoutes(app: App, deps: { distDir: string }): Promise<void> {
  const dist = path.resolve(deps.distDir);
  const index = path.join(dist, 'index.html');
  const csp = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

  app.get('/*', { config: { ability: 'public' }, schema: { hide: true, response: replies({ 200: WebFile, 503: WebUiNotBuilt }) } }, async (request, reply) => {
    const [rawPath = '/', query] = request.url.split('?');
    // `<tracking URI>//model-versions/get-artifact` is `…/model-versions/get-artifact` to MLflow's
    // server (werkzeug merges the slashes with a redirect): MLflow's clients build such URLs from
    // a tracking URI with a trailing slash. Only a doubled slash right after a tracking URI is
    // merged; elsewhere under the API an empty segment stays a 404. (The target starts with one
    // slash: never another host.)
    if (DOUBLED_AFTER_TRACKING_URI.test(rawPath)) return reply.redirect(`${rawPath.replace(/\/{2,}/g, '/')}${query === undefined ? '' : `?${query}`}`, 308);
    const urlPath = decodeURIComponent(rawPath);
    if (NOT_THE_APP.test(urlPath)) return reply.status(404).send({ message: '404 Not Found' });
    const candidate = path.resolve(dist, `.${urlPath}`);
    const isAsset = candidate.startsWith(dist + path.sep) && urlPath !== '/' && fs.existsSync(candidate) && fs.statSync(candidate).isFile();
    if (!fs.existsSync(index)) {
      return reply.status(503).type('text/plain; charset=utf-8').send('The web UI is not built: run `npm run build:web` (npm ci does it).');
    }
    const file = isAsset ? candidate : index;
    reply.header('Content-Security-Policy', csp);
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Cache-Control', isAsset && urlPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    reply.type(MEDIA_TYPES[path.extname(file)] ?? UNKNOWN_MEDIA_TYPE);
    return reply.send(fs.createReadStream(file));
  });
}
