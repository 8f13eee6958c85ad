import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Schema } from '../db/schema.ts';
import { ServingErrors } from './errors.ts';
import type { FeedbackBody, FeedbackReply } from './contract.ts';
import type { ServingMetrics } from './metrics-recorder.ts';
import type { Route, RoutedVariant, RouteTable } from './route-table.ts';
import type { ServeAuthorizer } from './serve-tokens.ts';
import { bucketOf, randomBucket, variantForBucket } from './sticky.ts';
import { isFailure, type UpstreamAnswer, type UpstreamFailure, type Upstreams } from './upstreams.ts';

export type Routable = Extract<Route, { kind: 'routable' }>;

/** What the gateway answers a prediction with: the model server's answer, or its own failure. */
export type GatewayAnswer =
  | { kind: 'answer'; status: number; contentType: string | undefined; body: Buffer; variant: string; deploymentId: number }
  | { kind: 'failure'; status: 502 | 504; message: string; variant: string; deploymentId: number };

type Headers = Record<string, string | string[] | undefined>;

const headerValue = (headers: Headers, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * The serving gateway: authenticates the serve token (cached), finds the environment's route
 * (cached), picks the live variant (sticky by subject), forwards the request unchanged to one
 * of its ready instances over a kept-alive connection, counts the outcome for the variant's
 * metrics and gates, and mirrors a share of requests to shadow variants, whose answers are
 * compared and counted, never returned.
 */
export class Gateway {
  private readonly turns = new Map<string, number>();

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly deps: { authorizer: ServeAuthorizer; routes: RouteTable; upstreams: Upstreams; metrics: ServingMetrics; logger: Logger },
  ) {}

  /** The environment's route, for a caller whose serve token reaches the project; 404 and 503 otherwise. */
  async route(headers: Headers, projectKey: string, environment: string, ip: string | null): Promise<Routable> {
    const projectId = await this.deps.authorizer.authorize(headers, projectKey, ip);
    const route = await this.deps.routes.get(projectId, environment);
    if (route.kind === 'unknown') throw ServingErrors.SERVING_ENVIRONMENT_NOT_FOUND({ environment });
    if (route.kind === 'stopped') throw ServingErrors.ENVIRONMENT_NOT_SERVING({ environment, state: route.state });
    if (route.kind === 'empty') throw ServingErrors.NOTHING_DEPLOYED({ environment });
    return route;
  }

  /** The live variant for this request: the subject's (sticky), else any; one without a ready instance gives way to one with. */
  choose(route: Routable, headers: Headers): RoutedVariant {
    const subject = route.subjectHeader === null ? undefined : headerValue(headers, route.subjectHeader);
    const bucket = subject === undefined || subject === '' ? randomBucket() : bucketOf(subject, route.lineage);
    const wanted = variantForBucket(route.live, bucket);
    if (wanted && wanted.endpoints.length > 0) return wanted;
    const ready = route.live.filter((v) => v.endpoints.length > 0 && v.weight > 0);
    const fallback = ready.length > 0 ? ready[bucket % ready.length]! : route.live.find((v) => v.endpoints.length > 0);
    if (!fallback)
      throw ServingErrors.NO_READY_INSTANCE({
        environment: route.environment,
        variants:
          route.live
            .filter((v) => v.weight > 0)
            .map((v) => v.name)
            .join(', ') || 'any variant',
      });
    return fallback;
  }

  /** A prediction (`/invocations`), passed through unchanged. */
  invoke(route: Routable, headers: Headers, body: Buffer | undefined): Promise<GatewayAnswer> {
    return this.invokeVariant(route, this.choose(route, headers), headers, body);
  }

  /** A prediction sent to a variant already chosen (the fast path chooses before it reads the body). */
  async invokeVariant(route: Routable, variant: RoutedVariant, headers: Headers, body: Buffer | undefined): Promise<GatewayAnswer> {
    const contentType = headerValue(headers, 'content-type');
    const started = performance.now();
    const answer = await this.forward(route, variant, { method: 'POST', path: '/invocations', contentType, body });
    const ms = performance.now() - started;
    const failed = isFailure(answer);
    this.deps.metrics.observe({
      projectId: route.projectId,
      environment: route.environment,
      deploymentId: route.deploymentId,
      variant: variant.name,
      role: 'live',
      ms,
      error: failed || answer.status >= 500,
    });
    if (!failed) this.mirror(route, contentType, body, answer);
    if (failed) return { kind: 'failure', status: answer.kind === 'timeout' ? 504 : 502, message: answer.message, variant: variant.name, deploymentId: route.deploymentId };
    return { kind: 'answer', status: answer.status, contentType: answer.contentType, body: answer.body, variant: variant.name, deploymentId: route.deploymentId };
  }

  /** `/ping` and `/version` of one ready instance of a live variant. */
  async probe(route: Routable, headers: Headers, path: '/ping' | '/version'): Promise<GatewayAnswer> {
    const variant = this.choose(route, headers);
    const answer = await this.forward(route, variant, { method: 'GET', path });
    if (isFailure(answer)) return { kind: 'failure', status: answer.kind === 'timeout' ? 504 : 502, message: answer.message, variant: variant.name, deploymentId: route.deploymentId };
    return { kind: 'answer', status: answer.status, contentType: answer.contentType, body: answer.body, variant: variant.name, deploymentId: route.deploymentId };
  }

  /** Sends to the variant's instances in turn; a refused connection tries the next instance, a timeout does not. */
  private async forward(route: Routable, variant: RoutedVariant, request: { method: 'GET' | 'POST'; path: string; contentType?: string; body?: Buffer }): Promise<UpstreamAnswer | UpstreamFailure> {
    const key = `${route.deploymentId}/${variant.name}`;
    const turn = this.turns.get(key) ?? 0;
    this.turns.set(key, turn + 1);
    let last: UpstreamFailure | undefined;
    for (let i = 0; i < variant.endpoints.length; i++) {
      const endpoint = variant.endpoints[(turn + i) % variant.endpoints.length]!;
      const answer = await this.deps.upstreams.call(endpoint, { ...request, timeoutMs: route.timeoutMs });
      if (!isFailure(answer) || answer.kind === 'timeout') return answer;
      last = answer;
    }
    return last ?? { kind: 'unreachable', message: `variant ${variant.name} has no ready instance` };
  }

  /** Mirrors the request to each shadow variant for its share; the answers are compared and counted, never returned. */
  private mirror(route: Routable, contentType: string | undefined, body: Buffer | undefined, live: UpstreamAnswer): void {
    for (const shadow of route.shadows) {
      if (shadow.endpoints.length === 0 || Math.random() * 100 >= shadow.shadowShare) continue;
      const started = performance.now();
      void this.forward(route, shadow, { method: 'POST', path: '/invocations', contentType, body })
        .then((answer) => {
          const failed = isFailure(answer);
          this.deps.metrics.observe({
            projectId: route.projectId,
            environment: route.environment,
            deploymentId: route.deploymentId,
            variant: shadow.name,
            role: 'shadow',
            ms: performance.now() - started,
            error: failed || answer.status >= 500,
            mismatch: failed || answer.status !== live.status || !answer.body.equals(live.body),
          });
        })
        .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'a shadow request failed'));
    }
  }

  /**
   * Feedback on a subject's outcome: counted for the variant the subject is assigned to, which
   * is recomputed from the subject (nothing per request is stored).
   */
  async feedback(route: Routable, body: FeedbackBody): Promise<FeedbackReply> {
    const reward = route.policy.kind === 'ab' ? route.policy.reward : 'continuous';
    if (!Number.isFinite(body.value) || (reward === 'binary' && body.value !== 0 && body.value !== 1)) throw ServingErrors.INVALID_REWARD({ value: body.value });
    const variant = variantForBucket(route.live, bucketOf(body.subject, route.lineage)) ?? route.live[0]!;
    const value = body.value;
    const increments = { n: 1, successes: value === 1 ? 1 : 0, sum: value, sum_squares: value * value };
    await this.db
      .insertInto('serving_feedback')
      .values({ lineage_id: route.lineage, variant: variant.name, ...increments })
      .onConflict((oc) =>
        oc.columns(['lineage_id', 'variant']).doUpdateSet((eb) => ({
          n: eb(eb.ref('serving_feedback.n'), '+', eb.ref('excluded.n')),
          successes: eb(eb.ref('serving_feedback.successes'), '+', eb.ref('excluded.successes')),
          sum: eb(eb.ref('serving_feedback.sum'), '+', eb.ref('excluded.sum')),
          sum_squares: eb(eb.ref('serving_feedback.sum_squares'), '+', eb.ref('excluded.sum_squares')),
        })),
      )
      .execute();
    return { variant: variant.name, deployment_id: route.deploymentId, lineage_id: route.lineage };
  }
}
