import { Type } from 'typebox';

/** Schema pieces shared by the native API's routes. */
export const ProjectIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });

export const NumericId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

export const MessageReply = Type.Object({ message: Type.String() });

/** A boolean in a query string, written as GitLab accepts it. */
export const QueryBoolean = Type.Union([Type.Boolean(), Type.Literal('true'), Type.Literal('false')]);
export const isTrue = (value: boolean | 'true' | 'false' | undefined): boolean => value === true || value === 'true';
