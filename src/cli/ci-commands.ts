import fs from 'node:fs';

/**
 * `modelyard ci ...`: small steps the bundled pipeline templates run inside a job. They use
 * only what the job was given (CI_API_V4_URL, CI_PROJECT_ID, CI_JOB_TOKEN, MODEL_*), so they
 * work in any job of a Modelyard pipeline.
 */
function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this inside a Modelyard pipeline job`);
  return value;
}

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${env('CI_API_V4_URL')}${path}`, {
    method,
    headers: { 'job-token': env('CI_JOB_TOKEN'), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function modelId(name: string): Promise<number> {
  if (process.env.MODEL_ID) return Number(process.env.MODEL_ID);
  const models = await api<{ id: number; name: string }[]>('GET', `/projects/${env('CI_PROJECT_ID')}/ml/models?search=${encodeURIComponent(name)}&per_page=100`);
  const found = models.find((m) => m.name === name);
  if (!found) throw new Error(`model '${name}' not found in project ${env('CI_PROJECT_ID')}`);
  return found.id;
}

async function evaluationsPath(): Promise<string> {
  const name = env('MODEL_NAME');
  return `/projects/${env('CI_PROJECT_ID')}/ml/models/${await modelId(name)}/versions/${env('MODEL_VERSION')}/evaluations`;
}

function readMetrics(file: string): Record<string, number> {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  const metrics: Record<string, number> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${file}: metric ${key} is not a finite number`);
    metrics[key] = value;
  }
  return metrics;
}

/** Records the metrics an evaluation computed (a JSON object in a file) on $MODEL_NAME version $MODEL_VERSION. */
export async function recordEvaluationCommand(options: { metrics: string; dataset?: string }): Promise<void> {
  const metrics = readMetrics(options.metrics);
  const recorded = await api<{ id: number }>('POST', await evaluationsPath(), { metrics, ...(options.dataset ? { dataset: options.dataset } : {}) });
  process.stdout.write(`recorded evaluation ${recorded.id} on ${env('MODEL_NAME')} version ${env('MODEL_VERSION')}: ${JSON.stringify(metrics)}\n`);
}

export interface Threshold {
  metric: string;
  op: '>=' | '<=' | '>' | '<' | '==';
  value: number;
  text: string;
}

/** `accuracy>=0.9, loss<=0.3`. */
export function parseThresholds(spec: string): Threshold[] {
  return spec
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((text) => {
      const match = /^([A-Za-z0-9_.\-/:]+)\s*(>=|<=|==|>|<)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)$/i.exec(text);
      if (!match) throw new Error(`threshold '${text}' is not of the form metric>=number`);
      return { metric: match[1]!, op: match[2] as Threshold['op'], value: Number(match[3]), text };
    });
}

export function checkThresholds(metrics: Record<string, number>, thresholds: Threshold[]): string[] {
  const failures: string[] = [];
  for (const t of thresholds) {
    const actual = metrics[t.metric];
    if (actual === undefined) {
      failures.push(`${t.text}: metric ${t.metric} was not evaluated`);
      continue;
    }
    const ok = { '>=': actual >= t.value, '<=': actual <= t.value, '>': actual > t.value, '<': actual < t.value, '==': actual === t.value }[t.op];
    if (!ok) failures.push(`${t.text}: got ${actual}`);
  }
  return failures;
}

/**
 * Checks the version's latest evaluated metrics against thresholds, records the verdict on the
 * version, and fails the job (exit 1) below them.
 */
export async function validateCommand(options: { thresholds: string; metrics?: string }): Promise<void> {
  const thresholds = parseThresholds(options.thresholds);
  if (thresholds.length === 0) throw new Error('no thresholds given: set VALIDATE_THRESHOLDS, e.g. "accuracy>=0.9"');
  const path = await evaluationsPath();
  let metrics: Record<string, number>;
  if (options.metrics && fs.existsSync(options.metrics)) metrics = readMetrics(options.metrics);
  else {
    const evaluations = await api<{ metrics: Record<string, number>; passed: boolean | null }[]>('GET', path);
    const latest = evaluations.find((e) => e.passed === null);
    if (!latest) throw new Error('the version has no evaluation to validate: run the evaluate job first');
    metrics = latest.metrics;
  }
  const failures = checkThresholds(metrics, thresholds);
  await api('POST', path, { metrics, passed: failures.length === 0, thresholds: thresholds.map((t) => t.text) });
  if (failures.length > 0) {
    process.stdout.write(`validation FAILED for ${env('MODEL_NAME')} version ${env('MODEL_VERSION')}:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`validation passed for ${env('MODEL_NAME')} version ${env('MODEL_VERSION')}: ${thresholds.map((t) => t.text).join(', ')}\n`);
}
