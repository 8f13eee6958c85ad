import { Type, type TSchema } from 'typebox';

/**
 * Response schemas shared by every route: the error bodies and the shapes of answers that are
 * not JSON objects. A route's `response` map names each status it answers with; Fastify then
 * serializes through the schema (fast-json-stringify) and the OpenAPI document lists it.
 */

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
