import type { FastifyReply, FastifyRequest } from 'fastify';

export { PaginationQuery, type PaginationQueryType } from './pagination-query.ts';

export interface PageWindow {
  page: number;
  perPage: number;
  offset: number;
  limit: number;
}

export function pageWindow(query: { page?: number; per_page?: number }): PageWindow {
  const page = query.page ?? 1;
  const perPage = query.per_page ?? 20;
  return { page, perPage, offset: (page - 1) * perPage, limit: perPage };
}

/** Sets X-Total, X-Total-Pages, X-Page, X-Per-Page, X-Next-Page, X-Prev-Page and Link, as GitLab does. */
export function setPaginationHeaders(request: FastifyRequest, reply: FastifyReply, window: PageWindow, total: number): void {
  const totalPages = Math.max(1, Math.ceil(total / window.perPage));
  const next = window.page < totalPages ? window.page + 1 : null;
  const prev = window.page > 1 ? window.page - 1 : null;
  reply.header('X-Total', String(total));
  reply.header('X-Total-Pages', String(totalPages));
  reply.header('X-Page', String(window.page));
  reply.header('X-Per-Page', String(window.perPage));
  reply.header('X-Next-Page', next === null ? '' : String(next));
  reply.header('X-Prev-Page', prev === null ? '' : String(prev));
  const url = new URL(request.url, 'http://placeholder');
  const link = (page: number, rel: string) => {
    url.searchParams.set('page', String(page));
    url.searchParams.set('per_page', String(window.perPage));
    return `<${request.server.publicUrl}${url.pathname}${url.search}>; rel="${rel}"`;
  };
  const links = [link(1, 'first'), link(totalPages, 'last')];
  if (prev !== null) links.unshift(link(prev, 'prev'));
  if (next !== null) links.unshift(link(next, 'next'));
  reply.header('Link', links.join(', '));
}

/** Sends one page of a list with its headers. */
export function sendPage<T>(request: FastifyRequest, reply: FastifyReply, window: PageWindow, page: { total: number; items: T[] }): T[] {
  setPaginationHeaders(request, reply, window, page.total);
  return page.items;
}
