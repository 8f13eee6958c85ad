import { buildSchema, GraphQLScalarType, Kind, type GraphQLSchema } from 'graphql';

/**
 * MLflow's GraphQL interface (what its web UI and tools query at `/graphql`), written out as a
 * schema: the type and field names are MLflow's (its proto messages with Mlflow prefixed,
 * fields in camelCase), so that the same queries work here. int64 fields are `LongString`
 * (decimal strings, as MLflow answers them). Every operation only reads, the two "mutations"
 * included (MLflow files its searches there).
 */
const SDL = /* GraphQL */ `
  directive @component(name: String!) on QUERY | MUTATION

  "Long converted to string to prevent truncation to max integer in JavaScript"
  scalar LongString

  enum MlflowRunStatus {
    RUNNING
    SCHEDULED
    FINISHED
    FAILED
    KILLED
  }
  enum MlflowViewType {
    ACTIVE_ONLY
    DELETED_ONLY
    ALL
  }
  enum MlflowModelVersionStatus {
    PENDING_REGISTRATION
    FAILED_REGISTRATION
    READY
  }

  type ErrorDetail {
    field: String
    message: String
  }
  type ApiError {
    code: String
    message: String
    helpUrl: String
    traceId: String
    errorDetails: [ErrorDetail]
  }

  type Test {
    output: String
  }
  type TestMutation {
    output: String
  }

  type MlflowExperimentTag {
    key: String
    value: String
  }
  type MlflowExperiment {
    experimentId: String
    name: String
    artifactLocation: String
    lifecycleStage: String
    lastUpdateTime: LongString
    creationTime: LongString
    tags: [MlflowExperimentTag!]
    effectiveTraceArchivalRetention: String
    workspace: String
  }
  type MlflowGetExperimentResponse {
    experiment: MlflowExperiment
    apiError: ApiError
  }

  type MlflowMetricExtension {
    key: String
    "null for NaN (and the infinities), which a GraphQL Float cannot carry"
    value: Float
    timestamp: LongString
    step: LongString
    datasetName: String
    datasetDigest: String
    modelId: String
    runId: String
  }
  type MlflowParam {
    key: String
    value: String
  }
  type MlflowRunTag {
    key: String
    value: String
  }
  type MlflowRunData {
    metrics: [MlflowMetricExtension!]
    params: [MlflowParam!]
    tags: [MlflowRunTag!]
  }
  type MlflowRunInfo {
    runId: String
    runUuid: String
    runName: String
    experimentId: String
    userId: String
    status: MlflowRunStatus
    startTime: LongString
    endTime: LongString
    artifactUri: String
    lifecycleStage: String
  }
  type MlflowInputTag {
    key: String
    value: String
  }
  type MlflowDataset {
    name: String
    digest: String
    sourceType: String
    source: String
    schema: String
    profile: String
  }
  type MlflowDatasetInput {
    tags: [MlflowInputTag!]
    dataset: MlflowDataset
  }
  type MlflowModelInput {
    modelId: String
  }
  type MlflowRunInputs {
    datasetInputs: [MlflowDatasetInput!]
    modelInputs: [MlflowModelInput!]
  }
  type MlflowModelOutput {
    modelId: String
    step: LongString
  }
  type MlflowRunOutputs {
    modelOutputs: [MlflowModelOutput!]
  }

  type MlflowModelVersionTag {
    key: String
    value: String
  }
  type MlflowModelVersion {
    name: String
    version: String
    creationTimestamp: LongString
    lastUpdatedTimestamp: LongString
    userId: String
    currentStage: String
    description: String
    source: String
    runId: String
    status: MlflowModelVersionStatus
    statusMessage: String
    tags: [MlflowModelVersionTag!]
    runLink: String
    aliases: [String]
    modelId: String
  }

  type MlflowRunExtension {
    info: MlflowRunInfo
    data: MlflowRunData
    inputs: MlflowRunInputs
    outputs: MlflowRunOutputs
    experiment: MlflowExperiment
    modelVersions: [MlflowModelVersion!]
  }
  type MlflowGetRunResponse {
    run: MlflowRunExtension
    apiError: ApiError
  }
  type MlflowSearchRunsResponse {
    runs: [MlflowRunExtension!]
    nextPageToken: String
    apiError: ApiError
  }

  type MlflowFileInfo {
    path: String
    isDir: Boolean
    fileSize: LongString
  }
  type MlflowListArtifactsResponse {
    rootUri: String
    files: [MlflowFileInfo!]
    nextPageToken: String
    apiError: ApiError
  }

  type MlflowMetricWithRunId {
    key: String
    value: Float
    timestamp: LongString
    step: LongString
    runId: String
  }
  type MlflowGetMetricHistoryBulkIntervalResponse {
    metrics: [MlflowMetricWithRunId!]
    apiError: ApiError
  }

  type MlflowSearchModelVersionsResponse {
    modelVersions: [MlflowModelVersion!]
    nextPageToken: String
    apiError: ApiError
  }

  type MlflowDatasetSummary {
    experimentId: String
    name: String
    digest: String
    context: String
  }
  type MlflowSearchDatasetsResponse {
    datasetSummaries: [MlflowDatasetSummary!]
    apiError: ApiError
  }

  input MlflowGetExperimentInput {
    experimentId: String
  }
  input MlflowGetRunInput {
    runId: String
    runUuid: String
  }
  input MlflowListArtifactsInput {
    runId: String
    runUuid: String
    path: String
    pageToken: String
  }
  input MlflowGetMetricHistoryBulkIntervalInput {
    runIds: [String]
    metricKey: String
    startStep: Int
    endStep: Int
    maxResults: Int
  }
  input MlflowSearchModelVersionsInput {
    filter: String
    maxResults: LongString
    orderBy: [String]
    pageToken: String
  }
  input MlflowSearchRunsInput {
    experimentIds: [String]
    filter: String
    runViewType: MlflowViewType
    maxResults: Int
    orderBy: [String]
    pageToken: String
  }
  input MlflowSearchDatasetsInput {
    experimentIds: [String]
  }

  type Query {
    "Simple echoing field"
    test(inputString: String): Test
    mlflowGetExperiment(input: MlflowGetExperimentInput): MlflowGetExperimentResponse
    mlflowGetMetricHistoryBulkInterval(input: MlflowGetMetricHistoryBulkIntervalInput): MlflowGetMetricHistoryBulkIntervalResponse
    mlflowGetRun(input: MlflowGetRunInput): MlflowGetRunResponse
    mlflowListArtifacts(input: MlflowListArtifactsInput): MlflowListArtifactsResponse
    mlflowSearchModelVersions(input: MlflowSearchModelVersionsInput): MlflowSearchModelVersionsResponse
    mlflowSearchRuns(input: MlflowSearchRunsInput): MlflowSearchRunsResponse
  }

  type Mutation {
    "Simple echoing field"
    testMutation(inputString: String): TestMutation
    mlflowSearchDatasets(input: MlflowSearchDatasetsInput): MlflowSearchDatasetsResponse
    mlflowSearchRuns(input: MlflowSearchRunsInput): MlflowSearchRunsResponse
  }
`;

let built: GraphQLSchema | undefined;

function readLong(value: unknown): number | null {
  const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) ? number : null;
}

export function mlflowGraphqlSchema(): GraphQLSchema {
  if (built) return built;
  const schema = buildSchema(SDL);
  const long = schema.getType('LongString');
  if (!(long instanceof GraphQLScalarType)) throw new Error('LongString is not a scalar');
  long.serialize = (value) => String(value);
  long.parseValue = readLong;
  long.parseLiteral = (node) => (node.kind === Kind.INT || node.kind === Kind.STRING ? readLong(node.value) : null);
  built = schema;
  return schema;
}
