import { Type } from 'typebox';
import { ID_MAX, INT32_MAX, INT32_MIN } from '../shared/integer-ranges.ts';

/** Schema pieces shared by the native API's routes. */
export const ProjectIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });

export const NumericId = Type.Integer({ minimum: 1, maximum: ID_MAX });

/** A model version number (an `integer` column: up to 2^31 − 1). */
export const VersionNumber = Type.Integer({ minimum: 1, maximum: INT32_MAX });

/** Any integer an `integer` column holds (a job's exit code). */
export const Int32 = Type.Integer({ minimum: INT32_MIN, maximum: INT32_MAX });

/** Any integer a `bigint` column holds that JavaScript reads exactly (metric steps). */
export const SafeInteger = Type.Integer({ minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER });

export const MessageReply = Type.Object({ message: Type.String() });

/** A boolean in a query string, written as GitLab accepts it. */
export const QueryBoolean = Type.Union([Type.Boolean(), Type.Literal('true'), Type.Literal('false')]);
export const isTrue = (value: boolean | 'true' | 'false' | undefined): boolean => value === true || value === 'true';
