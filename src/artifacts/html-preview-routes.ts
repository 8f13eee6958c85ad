import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { accessOf } from '../auth/request-context.ts';
import { Bytes, replies } from '../http/responses.ts';
import { ProjectIdParams } from '../http/schemas.ts';
import type { DownloadableFile } from '../http/download.ts';
import { type App } from '../http/types.ts';
import type { ArtifactsService } from './artifacts-service.ts';
import { ArtifactPreviewErrors } from './errors.ts';

/** Larger reports are rare and slow to render in a frame; they stay downloads. */
export const HTML_PREVIEW_MAX_BYTES = 5 * 1024 * 1024;

/**
 * The document runs in a sandbox with every restriction (no `allow-scripts`, no
 * `allow-same-origin`): it gets an opaque origin, so it cannot run script, read the app's
 * cookies or call its API with them, even though it is served from the app's origin. It may
 * style itself and show inline images (scikit-learn's `estimator.html` needs no more), and only
 * the app's own pages may frame it.
 */
export const HTML_PREVIEW_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'";

const HTML = /\.html?$/i;

async function sendInline(reply: FastifyReply, file: DownloadableFile) {
  reply.header('Content-Type', 'text/html; charset=utf-8');
  reply.header('Content-Disposition', 'inline');
  reply.header('Content-Security-Policy', HTML_PREVIEW_CSP);
  reply.header('X-Content-Type-Options', 'nosniff');
  // Only the app's own pages may load it, and the document leaks no address when it links out.
  reply.header('Cross-Origin-Resource-Policy', 'same-origin');
  reply.header('Referrer-Policy', 'no-referrer');
  reply.header('Cache-Control', 'private, no-cache');
  reply.header('Content-Length', String(file.size));
  return reply.send(await file.open());
}

/**
 * `GET /api/v4/projects/:id/ml/artifact_previews/*`: an HTML artifact (a run's, a logged
 * model's, a version's: one file tree per project) served inline for the UI's sandboxed frame.
 * The artifact proxy's downloads stay attachments; this route is the only inline HTML there is.
 */
export async function htmlPreviewRoutes(app: App, deps: { artifacts: ArtifactsService }): Promise<void> {
  app.get(
    '/api/v4/projects/:id/ml/artifact_previews/*',
    {
      config: { ability: 'ml:read' },
      schema: {
        tags: ['mlflow-artifacts'],
        summary: "An HTML artifact, inline, in a sandbox (for the UI's preview frame)",
        description: `Only .html and .htm files up to ${HTML_PREVIEW_MAX_BYTES} bytes; anything else is refused (download it through the artifact proxy). Sent with \`Content-Security-Policy: ${HTML_PREVIEW_CSP}\`: the page gets an opaque origin and runs no script.`,
        params: Type.Intersect([ProjectIdParams, Type.Object({ '*': Type.String({ maxLength: 4096 }) })]),
        response: replies({ 200: Bytes('text/html', 'The HTML document') }),
      },
    },
    async (request, reply) => {
      const path = request.params['*'];
      const name = path.slice(path.lastIndexOf('/') + 1);
      if (!HTML.test(name)) throw ArtifactPreviewErrors.PREVIEW_NOT_HTML({ name: name.slice(0, 200) });
      const file = await deps.artifacts.file(accessOf(request), path);
      if (file.size > HTML_PREVIEW_MAX_BYTES) throw ArtifactPreviewErrors.PREVIEW_TOO_LARGE({ size: file.size, maxBytes: HTML_PREVIEW_MAX_BYTES });
      return sendInline(reply, file);
    },
  );
}
