import Fastify from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { installResponseCheck } from '../../src/http/plugins/response-check.ts';
import { replies } from '../../src/http/responses.ts';
import type { App } from '../../src/http/types.ts';

async function appAnswering(body: unknown, status = 200) {
  const app = Fastify().withTypeProvider<TypeBoxTypeProvider>() as unknown as App;
  installResponseCheck(app);
  const Thing = Type.Object({ id: Type.Integer(), name: Type.String(), tags: Type.Record(Type.String(), Type.String()) });
  app.get('/thing', { schema: { response: replies({ 200: Thing }) } }, async (_request, reply) => reply.status(status).send(body as never));
  await app.ready();
  return app;
}

describe('the response check', () => {
  it('passes an answer that matches its schema', async () => {
    const app = await appAnswering({ id: 1, name: 'a', tags: { team: 'x' } });
    const res = await app.inject({ url: '/thing' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: 1, name: 'a', tags: { team: 'x' } });
  });

  it('fails an answer with a property its schema does not declare, which the serializer would drop', async () => {
    const app = await appAnswering({ id: 1, name: 'a', tags: {}, secret: 'x' });
    const res = await app.inject({ url: '/thing' });
    expect(res.statusCode).toBe(500);
  });

  it('fails a wrong type and a missing property', async () => {
    expect((await (await appAnswering({ id: '1', name: 'a', tags: {} })).inject({ url: '/thing' })).statusCode).toBe(500);
    expect((await (await appAnswering({ id: 1, tags: {} })).inject({ url: '/thing' })).statusCode).toBe(500);
  });

  it('fails a status the route does not declare, and holds errors to the error body', async () => {
    expect((await (await appAnswering({ id: 1, name: 'a', tags: {} }, 201)).inject({ url: '/thing' })).statusCode).toBe(500);
    expect((await (await appAnswering({ message: 'no' }, 404)).inject({ url: '/thing' })).statusCode).toBe(404);
    expect((await (await appAnswering({ message: 'no', extra: 1 }, 404)).inject({ url: '/thing' })).statusCode).toBe(500);
  });
});
