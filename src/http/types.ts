import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The protocol whose error shape this route answers in. */
    protocol?: 'native' | 'mlflow';
  }
  interface FastifyInstance {
    /** MODELYARD_PUBLIC_URL: absolute links (pagination, web URLs) are built on it. */
    publicUrl: string;
  }
}

/** The Fastify instance every route plugin registers on: TypeBox schemas type the handlers. */
export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;
