import { Type, type Static, type TSchema } from 'typebox';
import { Closed } from '../http/responses.ts';
import { NumericId, ProjectIdParams } from '../http/schemas.ts';
import { EnvironmentRef, Policy, Variant } from '../deployments/contract.ts';

/** The gateway's own answers and the serving results API. Predictions pass through as the model server sent them. */
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const GatewayParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 255, description: 'The project: its id or URL-encoded path' }),
  environment: Type.String({ minLength: 1, maxLength: 255, description: "The environment's name, URL-encoded" }),
});
export type GatewayParams = Static<typeof GatewayParams>;

export const FeedbackBody = Closed({
  subject: Type.String({ minLength: 1, maxLength: 1024, description: 'The subject whose requests were answered (the value of the subject header)' }),
  value: Type.Number({ description: 'The reward: 0 or 1 for binary rewards, any finite number for continuous ones' }),
});
export type FeedbackBody = Static<typeof FeedbackBody>;

export const FeedbackReply = Closed({
  variant: Type.String({ description: 'The variant the subject is assigned to (recomputed from the subject)' }),
  deployment_id: Type.Integer(),
  lineage_id: Type.Integer(),
});
export type FeedbackReply = Static<typeof FeedbackReply>;

export const LatencySummary = Closed({ p50: Nullable(Type.Number()), p95: Nullable(Type.Number()), p99: Nullable(Type.Number()) }, { description: 'Milliseconds, from the 10-second histograms' });

export const RewardResult = Closed({
  n: Type.Integer(),
  mean: Nullable(Type.Number()),
  ci_low: Nullable(Type.Number({ description: "binary: the Beta posterior's 2.5% quantile; continuous: mean − 1.96·s/√n" })),
  ci_high: Nullable(Type.Number()),
  probability_best: Nullable(Type.Number({ description: 'P(this variant has the highest mean reward), Monte Carlo over the posteriors' })),
});

export const WindowPoint = Closed({ t: Type.String(), requests: Type.Integer(), errors: Type.Integer(), p95_ms: Nullable(Type.Number()) });

export const VariantResult = Closed({
  ...Variant.properties,
  requests: Type.Integer(),
  errors: Type.Integer(),
  error_rate: Nullable(Type.Number()),
  mismatches: Type.Integer({ description: 'Shadow variants: answers that differed from the one returned' }),
  latency_ms: LatencySummary,
  reward: RewardResult,
  windows: Type.Array(WindowPoint, { description: 'The last 10 minutes, per 10-second window' }),
});
export type VariantResult = Static<typeof VariantResult>;

export const ServingResults = Closed({
  environment: EnvironmentRef,
  deployment_id: Type.Integer(),
  lineage_id: Type.Integer(),
  policy: Policy,
  reward: Type.Union([Type.Literal('binary'), Type.Literal('continuous')]),
  variants: Type.Array(VariantResult),
});
export type ServingResults = Static<typeof ServingResults>;

export const ResultsParams = Type.Intersect([ProjectIdParams, Type.Object({ environment_id: NumericId })]);
export const ResultsQuery = Type.Object({ deployment_id: Type.Optional(NumericId) });
