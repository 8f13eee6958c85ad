import { Type, type TProperties } from 'typebox';

/**
 * How a message of MLflow's protocol is declared. A request message documents its fields for
 * the OpenAPI document only: requests are read as MLflow's proto-JSON parser reads them
 * (message.ts), which ignores unknown fields and accepts numbers as strings, so the schema is
 * open and never used to refuse a request. A response message is closed: it is what Fastify
 * serializes through and what the response check holds answers to.
 */
export function RequestMessage<P extends TProperties>(title: string, properties: P, description?: string) {
  return Type.Object(properties, { title, additionalProperties: true, ...(description ? { description } : {}) });
}

export function ResponseMessage<P extends TProperties>(title: string, properties: P, description?: string) {
  return Type.Object(properties, { title, additionalProperties: false, ...(description ? { description } : {}) });
}

/** An entity message inside answers (Run, Metric, ModelVersion…): closed, named as in the proto. */
export function Entity<P extends TProperties>(properties: P, options: { title: string; description?: string }) {
  return Type.Object(properties, { ...options, additionalProperties: false });
}

/** The empty answer most writes give: `{}`. */
export function EmptyResponse(title: string) {
  return Type.Object({}, { title, additionalProperties: false });
}

/** An int64 in a request: a number, or its digits as a string (proto-JSON). */
export const Int64In = Type.Union([Type.Integer(), Type.String({ pattern: '^-?[0-9]+$' })]);

/** A double in a request: a number, its decimal text, or "NaN", "Infinity", "-Infinity". */
export const DoubleIn = Type.Union([Type.Number(), Type.String()]);

/** A boolean in a request (query strings spell it "true"/"false"). */
export const BoolIn = Type.Union([Type.Boolean(), Type.Literal('true'), Type.Literal('false')]);

/** A repeated string: a JSON array, or the key repeated in a query string. */
export const StringsIn = Type.Union([Type.Array(Type.String()), Type.String()]);

/** A key and value in a request (tags, params). */
export function KeyValueIn(title: string) {
  return Type.Object({ key: Type.String(), value: Type.String() }, { title, additionalProperties: true });
}
