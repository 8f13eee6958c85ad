import { Type, type Static } from 'typebox';

/**
 * GitLab's offset pagination: `page` from 1, `per_page` up to 100. The schema alone, without the
 * Fastify half of pagination.ts, so that contracts (which the browser bundle type-checks) can use it.
 */
export const PaginationQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});
export type PaginationQueryType = Static<typeof PaginationQuery>;
