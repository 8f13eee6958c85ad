import { Type, type TSchema } from 'typebox';

/**
 * Response schemas shared by every route: the error bodies and the shapes of answers that are
 * not JSON objects. A route's `response` map names each status it answers with; Fastify then
 * serializes through the schema (fast-json-stringify) and the OpenAPI document lists it.
 */

/**
 * A route option: answers are written by JSON.stringify, not by a serializer compiled from the
 * response schema. On the shapes of large answers (a thousand runs with their params, tags and
 * metrics; string maps; number-or-string values) V8's own is faster than fast-json-stringify
 * and allocates less: a 1,000-run MLflow search answer (617 KB) took 31–34 ms of server CPU
 * instead of 37–41 ms on PostgreSQL (docs/benchmarks.md). The schemas still document the
 * answers, and the test suites' response check (src/http/plugins/response-check.ts) holds
 * every answer to them exactly (closed objects, no coercion), so nothing the compiled
 * serializer would have dropped or coerced reaches the wire unnoticed.
 */
export const writtenByJsonStringify = { serializerCompiler: () => (data: unknown) => JSON.stringify(data) };

/** GitLab's error body, answered by every native route for 4xx. */
export const NativeError = Type.Object({ message: Type.String() }, { additionalProperties: false, description: 'An error: what went wrong, in words' });

/** MLflow's error body, answered by the MLflow protocol's routes for 4xx. */
export const MlflowError = Type.Object(
  { error_code: Type.String({ description: "One of MLflow's codes: INVALID_PARAMETER_VALUE, RESOURCE_DOES_NOT_EXIST, …" }), message: Type.String() },
  { additionalProperties: false },
);

/** A 204: nothing in the body. */
export const NoContent = Type.Null({ description: 'No content' });

/** An answer whose body is bytes of the given media type (downloads, logs, archives). */
export function Bytes(mediaType: string, description: string) {
  return { description, content: { [mediaType]: { schema: Type.String({ format: 'binary' }) } } };
}

/** The native error body for every 4xx, beside a route's own answers. */
export function replies<R extends Record<number, unknown>>(answers: R): R & { '4xx': typeof NativeError } {
  return { ...answers, '4xx': NativeError };
}

/** The MLflow error body for every 4xx, beside an MLflow route's own answers. */
export function mlflowReplies<R extends Record<number, unknown>>(answers: R): R & { '4xx': typeof MlflowError } {
  return { ...answers, '4xx': MlflowError };
}

/** An object whose every property is declared: the default for contract schemas. */
export function Closed<P extends Record<string, TSchema>>(properties: P, options: { description?: string; $id?: string } = {}) {
  return Type.Object(properties, { ...options, additionalProperties: false });
}
