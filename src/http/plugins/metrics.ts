import type { App } from '../types.ts';

/**
 * Request counts and latency histograms per route, in Prometheus' text format. The numbers are
 * per process, as Prometheus expects: it scrapes every replica and sums.
 */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  method: string;
  route: string;
  status: number;
  count: number;
  sum: number;
  buckets: number[];
}

export class RequestMetrics {
  private readonly series = new Map<string, Series>();
  private readonly startedAt = Date.now();
  private readonly collectors: (() => string)[] = [];

  /** Another family of metrics (a domain's, in Prometheus' text format) served beside these. */
  addCollector(render: () => string): void {
    this.collectors.push(render);
  }

  /** On every request's path: one map lookup by a plain key, no allocation once the series exists. */
  observe(method: string, route: string, status: number, seconds: number): void {
    // A method and a status hold no newline; a route template is the server's own text.
    const key = `${method}\n${status}\n${route}`;
    let series = this.series.get(key);
    if (!series) {
      series = { method, route, status, count: 0, sum: 0, buckets: BUCKETS.map(() => 0) };
      this.series.set(key, series);
    }
    series.count += 1;
    series.sum += seconds;
    for (let i = BUCKETS.length - 1; i >= 0 && seconds <= BUCKETS[i]!; i--) series.buckets[i]! += 1;
  }

  render(): string {
    const escape = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    const lines: string[] = ['# HELP modelyard_http_requests_total HTTP requests handled, by method, route and status.', '# TYPE modelyard_http_requests_total counter'];
    const histogram: string[] = ['# HELP modelyard_http_request_duration_seconds Time to answer an HTTP request.', '# TYPE modelyard_http_request_duration_seconds histogram'];
    for (const { method, route, status, ...series } of this.series.values()) {
      const labels = `method="${escape(method)}",route="${escape(route)}",status="${status}"`;
      lines.push(`modelyard_http_requests_total{${labels}} ${series.count}`);
      BUCKETS.forEach((bound, i) => histogram.push(`modelyard_http_request_duration_seconds_bucket{${labels},le="${bound}"} ${series.buckets[i]}`));
      histogram.push(`modelyard_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${series.count}`);
      histogram.push(`modelyard_http_request_duration_seconds_sum{${labels}} ${series.sum}`);
      histogram.push(`modelyard_http_request_duration_seconds_count{${labels}} ${series.count}`);
    }
    const memory = process.memoryUsage();
    return (
      [
        ...lines,
        ...histogram,
        '# HELP modelyard_process_resident_memory_bytes Resident set size.',
        '# TYPE modelyard_process_resident_memory_bytes gauge',
        `modelyard_process_resident_memory_bytes ${memory.rss}`,
        '# HELP modelyard_process_uptime_seconds Seconds since the process started.',
        '# TYPE modelyard_process_uptime_seconds gauge',
        `modelyard_process_uptime_seconds ${(Date.now() - this.startedAt) / 1000}`,
        '',
      ].join('\n') + this.collectors.map((render) => render()).join('')
    );
  }
}

export function installMetrics(app: App, metrics: RequestMetrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observe(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
