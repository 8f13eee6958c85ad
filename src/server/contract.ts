import { Type, type Static } from 'typebox';
import { Bytes, Closed } from '../http/responses.ts';

/** The operations endpoints (health, readiness, metrics, version, the OpenAPI document) and the web UI's pages. */

export const Health = Closed({ status: Type.Literal('ok') }, { description: 'The process answers' });
export type Health = Static<typeof Health>;

const CheckState = Type.Union([Type.Literal('ok'), Type.Literal('failed')]);

export const Readiness = Closed({ status: CheckState, checks: Closed({ database: CheckState }) }, { description: "Whether the server can serve: each dependency's state" });
export type Readiness = Static<typeof Readiness>;

export const ServerVersion = Closed({ version: Type.String(), product: Type.Literal('modelyard') }, { description: 'The server version' });
export type ServerVersion = Static<typeof ServerVersion>;

/** The OpenAPI 3 document; its members are OpenAPI's, not listed here. */
export const OpenApiDocument = Type.Object({ openapi: Type.String({ description: 'The OpenAPI version, 3.x' }) }, { additionalProperties: true, description: 'The OpenAPI document' });

export const MetricsText = Bytes('text/plain', 'Prometheus metrics in the text exposition format (version 0.0.4)');

export const WebUiNotBuilt = Bytes('text/plain', 'The web UI is not built on this server');
