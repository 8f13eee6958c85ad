import { Ajv, type ErrorObject, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import { previewText } from '../../shared/preview.ts';
import type { App } from '../types.ts';

// ajv-formats ships CommonJS with a default export property.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function makeAjv(options: Options): Ajv {
  // `discriminator`: a body that is one of several kinds (a target's settings) is checked against its kind's schema only, so the error names that kind's field.
  const ajv = new Ajv({ useDefaults: true, removeAdditional: false, allErrors: false, strict: false, discriminator: true, ...options });
  addFormats(ajv);
  return ajv;
}

/**
 * Bodies are checked strictly: a string where a number belongs, or a field the endpoint does
 * not know, is refused rather than coerced or silently dropped. Query strings and path
 * parameters arrive as text, so there numbers are coerced (and repeated keys become arrays).
 */
export function installValidation(app: App): void {
  const strict = makeAjv({ coerceTypes: false });
  const coercing = makeAjv({ coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));
  app.setSchemaErrorFormatter((errors, dataVar) => new Error(describeValidationErrors(errors, dataVar)));
}

function fieldPath(dataVar: string, instancePath: string): string {
  // Paths hold the caller's own keys where a schema allows any (a record): cut them short.
  const path = previewText(instancePath.replace(/^\//, '').replace(/\//g, '.'));
  if (dataVar === 'body') return path === '' ? 'body' : path;
  return path === '' ? dataVar : `${dataVar} parameter ${path}`;
}

export function describeValidationErrors(errors: FastifySchemaValidationError[] | ErrorObject[], dataVar: string): string {
  const error = errors[0] as ErrorObject | undefined;
  if (!error) return `${dataVar} is invalid`;
  const where = fieldPath(dataVar, error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${where === 'body' ? '' : `${where}.`}${String(params.missingProperty)} is missing`.replace(/^\./, '');
    case 'additionalProperties':
      return `${where === 'body' ? 'body' : where} has an unknown field "${previewText(String(params.additionalProperty))}"`;
    case 'type':
      return `${where} must be ${String(params.type)}`;
    case 'maxLength':
      return `${where} is too long (maximum is ${String(params.limit)} characters)`;
    case 'minLength':
      return `${where} is too short (minimum is ${String(params.limit)} characters)`;
    case 'enum':
      return `${where} does not have a valid value (one of ${(params.allowedValues as unknown[]).join(', ')})`;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}
