import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../types.ts';

/**
 * Holds every JSON answer to the response schema its route declares, for the test suites
 * (MODELYARD_CHECK_RESPONSES). Fastify's serializer silently drops a property the schema does
 * not declare and writes a wrong type as it can; this check fails the request instead, so a
 * presenter and its contract cannot drift apart unnoticed. Objects are checked as closed
 * (undeclared properties are errors) unless their schema says otherwise.
 */
export function installResponseCheck(app: App): void {
  const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  const compiled = new WeakMap<object, ValidateFunction>();

  app.addHook('preSerialization', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const responses = request.routeOptions.schema?.response as Record<string, unknown> | undefined;
    // A server error is a bug of its own, reported as such; its body is not part of a contract.
    if (!responses || reply.statusCode >= 500) return payload;
    const schema = schemaFor(responses, reply.statusCode);
    if (schema === undefined) {
      throw new ResponseContractError(`${request.method} ${request.routeOptions.url} answered ${reply.statusCode}, which its response schema does not declare`);
    }
    let validate = compiled.get(schema);
    if (!validate) {
      validate = ajv.compile(closeObjects(schema) as object);
      compiled.set(schema, validate);
    }
    if (!validate(payload)) {
      const problems = (validate.errors ?? [])
        .slice(0, 5)
        .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
      throw new ResponseContractError(`${request.method} ${request.routeOptions.url} answered ${reply.statusCode} with a body its schema refuses: ${problems.join('; ')}`);
    }
    return payload;
  });
}

/** A server bug, whatever status the route had set: the answer is a 500. */
export class ResponseContractError extends Error {
  override readonly name = 'ResponseContractError';
  readonly statusCode = 500;
}

/** The schema for a status: exact, then its class (`2xx`), then `default`; `content` forms give their JSON schema. */
function schemaFor(responses: Record<string, unknown>, status: number): object | undefined {
  const entry = responses[String(status)] ?? responses[`${String(status)[0]}xx`] ?? responses.default;
  if (entry === undefined || entry === null || typeof entry !== 'object') return undefined;
  const content = (entry as { content?: Record<string, { schema?: object }> }).content;
  if (content) return content['application/json']?.schema ?? {};
  return entry;
}

/**
 * A copy of the schema in which every object without an explicit `additionalProperties` is
 * closed. The members of an `allOf` stay open (each would refuse the others' properties).
 */
function closeObjects(schema: unknown, memberOfAllOf = false): unknown {
  if (Array.isArray(schema)) return schema.map((item) => closeObjects(item));
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' || key === 'patternProperties' || key === '$defs' || key === 'definitions') {
      copy[key] = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, closeObjects(v)]));
    } else if (key === 'allOf' && Array.isArray(value)) {
      copy[key] = value.map((member) => closeObjects(member, true));
    } else {
      copy[key] = closeObjects(value);
    }
  }
  const isObject = copy.type === 'object' || copy.properties !== undefined;
  if (isObject && !memberOfAllOf && copy.additionalProperties === undefined && copy.patternProperties === undefined) copy.additionalProperties = false;
  return copy;
}
