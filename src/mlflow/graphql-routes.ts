import { execute, GraphQLEnumType, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType, parse, validate, type GraphQLFieldResolver, type GraphQLOutputType } from 'graphql';
import { Type } from 'typebox';
import { accessOf } from '../auth/request-context.ts';
import type { ProjectAccess } from '../auth/policy.ts';
import { mlflowReplies } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { mlflowCall } from './call.ts';
import { RequestMessage, ResponseMessage } from './contract/message-spec.ts';
import type { MlflowEndpoint, MlflowServices } from './endpoint.ts';
import { endpointAt } from './endpoints.ts';
import { MlflowErrors } from './errors.ts';
import { graphqlLimitExceeded } from './graphql/limits.ts';
import { mlflowGraphqlSchema } from './graphql/schema.ts';
import { Message } from './message.ts';
import { given, JsonText } from './proto-json.ts';
import { pathParams, readsLeniently, trackingBases } from './mount.ts';

const GraphqlRequest = RequestMessage('GraphQLRequest', {
  query: Type.String({ description: "A document of MLflow's GraphQL schema" }),
  variables: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  operationName: Type.Optional(Type.String()),
});
const GraphqlResponse = ResponseMessage('GraphQLResponse', {
  data: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  errors: Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'The messages of the errors, as MLflow lists them' }),
});

interface Context {
  access: ProjectAccess;
  services: MlflowServices;
}

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A GraphQL input object (camelCase) as the request message of an endpoint (snake_case). */
function messageFrom(input: unknown): Message {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries((input ?? {}) as Record<string, unknown>)) if (value !== null && value !== undefined) fields[snake(key)] = value;
  return new Message(fields);
}

/** Runs an MLflow REST handler for a GraphQL field, as MLflow's resolvers call its handlers. */
async function viaEndpoint(endpoint: MlflowEndpoint, context: Context, input: unknown): Promise<unknown> {
  const answer = await endpoint.handle(mlflowCall({ access: context.access, services: context.services, message: messageFrom(input), params: {}, bodyBytes: 0 }));
  return answer instanceof JsonText ? JSON.parse(answer.body.toString()) : answer;
}

const ROOT_FIELDS: Record<string, { method: MlflowEndpoint['method']; path: string }> = {
  mlflowGetExperiment: { method: 'GET', path: '/2.0/mlflow/experiments/get' },
  mlflowGetRun: { method: 'GET', path: '/2.0/mlflow/runs/get' },
  mlflowSearchRuns: { method: 'POST', path: '/2.0/mlflow/runs/search' },
  mlflowListArtifacts: { method: 'GET', path: '/2.0/mlflow/artifacts/list' },
  mlflowGetMetricHistoryBulkInterval: { method: 'GET', path: '/2.0/mlflow/metrics/get-history-bulk-interval' },
  mlflowSearchModelVersions: { method: 'GET', path: '/2.0/mlflow/model-versions/search' },
  mlflowSearchDatasets: { method: 'POST', path: '/2.0/mlflow/experiments/search-datasets' },
};

/** Fields that are not read off the answer: a run's experiment and versions, and NaN metric values. */
const COMPUTED: Record<string, Record<string, GraphQLFieldResolver<Record<string, unknown>, Context>>> = {
  MlflowRunExtension: {
    experiment: async (run, _args, context) => {
      const info = run.info as { experiment_id: string };
      return ((await viaEndpoint(endpointAt('GET', '/2.0/mlflow/experiments/get'), context, { experimentId: info.experiment_id })) as { experiment: unknown }).experiment;
    },
    modelVersions: async (run, _args, context) => {
      const info = run.info as { run_id: string };
      const found = (await viaEndpoint(endpointAt('GET', '/2.0/mlflow/model-versions/search'), context, { filter: `run_id='${info.run_id}'` })) as { model_versions?: unknown[] };
      return found.model_versions ?? [];
    },
  },
};

/** What protobuf answers for a field that is not set: MLflow's GraphQL reads its messages, so unset scalars are "", 0 or false. */
function unsetValue(type: GraphQLOutputType): unknown {
  if (type instanceof GraphQLNonNull) return unsetValue(type.ofType);
  if (type instanceof GraphQLList) return [];
  if (type instanceof GraphQLScalarType) {
    if (type.name === 'String') return '';
    if (type.name === 'LongString' || type.name === 'Int' || type.name === 'Float') return 0;
    if (type.name === 'Boolean') return false;
  }
  if (type instanceof GraphQLEnumType || type instanceof GraphQLObjectType) return null;
  return null;
}

const resolveField: GraphQLFieldResolver<unknown, Context> = (source, args, context, info) => {
  const parent = info.parentType.name;
  if (parent === 'Query' || parent === 'Mutation') {
    if (info.fieldName === 'test' || info.fieldName === 'testMutation') return { output: (args as { inputString?: string }).inputString ?? null };
    const target = ROOT_FIELDS[info.fieldName];
    return target ? viaEndpoint(endpointAt(target.method, target.path), context, (args as { input?: unknown }).input) : null;
  }
  const record = (source ?? {}) as Record<string, unknown>;
  const computed = COMPUTED[parent]?.[info.fieldName];
  if (computed) return computed(record, args, context, info);
  const value = record[snake(info.fieldName)];
  if (info.fieldName === 'value' && (parent === 'MlflowMetricExtension' || parent === 'MlflowMetricWithRunId')) return typeof value === 'number' ? value : null;
  return value === undefined || value === null ? unsetValue(info.returnType) : value;
};

/**
 * `/graphql` at every tracking URI, as MLflow serves it for its web UI: MLflow's schema over the
 * same handlers as the REST API (so the same permissions), documents bounded before they run,
 * and MLflow's answer shape (`{"data", "errors": [messages] | null}`, 200 even for errors in
 * the document). Every field reads: the route needs read access only.
 */
export async function mlflowGraphqlRoutes(app: App, deps: { services: MlflowServices; defaultProject: string }): Promise<void> {
  const schema = mlflowGraphqlSchema();
  for (const base of trackingBases(deps.defaultProject)) {
    const mount = { prefix: base.path, locate: base.locate, documented: base.documented, params: base.params };
    app.post(
      `${base.path}/graphql`,
      {
        config: { ability: 'ml:read', project: base.locate, protocol: 'mlflow' },
        schema: {
          tags: ['mlflow-ui'],
          summary: "MLflow's GraphQL (runs, experiments, artifacts, metric histories, model versions, datasets)",
          hide: !base.documented,
          ...given('params', pathParams(mount)),
          body: GraphqlRequest,
          response: mlflowReplies({ 200: GraphqlResponse }),
        },
        validatorCompiler: readsLeniently,
      },
      async (request) => {
        const m = new Message(request.body);
        const query = m.string('query');
        if (!query) throw MlflowErrors.GRAPHQL_BAD_REQUEST({ reason: 'A GraphQL request must have a query.' });
        let document;
        try {
          document = parse(query, { maxTokens: 50_000 });
        } catch (error) {
          throw MlflowErrors.GRAPHQL_BAD_REQUEST({ reason: (error as Error).message });
        }
        const refusal = graphqlLimitExceeded(document);
        if (refusal) return { data: null, errors: [refusal] };
        const invalid = validate(schema, document);
        if (invalid.length > 0) return { data: null, errors: invalid.map((e) => e.message) };
        const variables = m.message('variables');
        const result = await execute({
          schema,
          document,
          variableValues: variables ? ((request.body as Record<string, unknown>).variables as Record<string, unknown>) : undefined,
          operationName: m.string('operationName'),
          contextValue: { access: accessOf(request), services: deps.services } satisfies Context,
          fieldResolver: resolveField,
        });
        return { data: (result.data ?? null) as Record<string, unknown> | null, errors: result.errors ? result.errors.map((e) => e.message) : null };
      },
    );
  }
}
