import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * A strong ETag for a JSON answer: a hash of its serialized form, so any change to what the
 * client would see changes the tag. Computed after the answer is read, it saves the transfer
 * and the client's redrawing, not the query.
 */
export function entityTagOf(body: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
}

/** Whether an If-None-Match header names the tag (a list, `*`, or the weak form of it). */
export function matchesIfNoneMatch(header: string | undefined, tag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const t = candidate.trim();
    return t === '*' || t === tag || t === `W/${tag}`;
  });
}

/**
 * Tags the answer and turns it into a 304 when the client already has it. `no-cache` makes a
 * browser ask again every time (the data changes while a run runs) rather than guess freshness;
 * `private` keeps shared caches out of data that needs a credential.
 */
export function answerUnlessUnchanged<T>(request: FastifyRequest, reply: FastifyReply, body: T): T | FastifyReply {
  const tag = entityTagOf(body);
  reply.header('ETag', tag);
  reply.header('Cache-Control', 'private, no-cache');
  if (matchesIfNoneMatch(request.headers['if-none-match'], tag)) return reply.status(304).send();
  return body;
}
