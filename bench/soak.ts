import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeMachine } from './machine.ts';

/** What test/soak/replicas-faults.ts writes with `--out`. */
export interface SoakResult {
  date: string;
  clients: number;
  seconds: number;
  s3: string;
  elapsedS: number;
  mlflow: {
    calls: number;
    ok: number;
    pointsAcknowledged: number;
    artifactsAcknowledged: number;
    clientVisibleFailures: Record<string, number>;
    nonRetryable: number;
    slowestCallS: number;
    pointsChecked: number;
    pointsMissing: number;
    artifactsChecked: number;
    artifactsBad: number;
  };
  pipelines: { created: number; pipelineStatuses: Record<string, number>; jobs: number; jobStatuses: Record<string, number>; ranTwice: number[]; stranded: number[] };
  ui: { cookieSurvived: boolean; requests: Record<string, number> };
  haproxy: Record<string, number>;
  recovery: { fault: string; durationS: number; probesFailed: number; probesTotal: number; recoveredAfterEndS: number | null; lastFailureAfterStartS: number | null; note: string }[];
}

/** Runs the soak harness as its own process (it owns every server it starts) and reads its figures. */
export async function runSoak(clients: number, seconds: number, log: (line: string) => void): Promise<{ result: SoakResult; passed: boolean }> {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-soak-')), 'result.json');
  const child = spawn('npx', ['tsx', 'test/soak/replicas-faults.ts', '--clients', String(clients), '--seconds', String(seconds), '--out', out], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.on('data', (d: Buffer) => {
    for (const line of d.toString().split('\n')) if (line.startsWith('[soak')) log(line);
  });
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  if (!fs.existsSync(out)) throw new Error(`the soak ended (exit ${code}) without its figures`);
  const result = JSON.parse(fs.readFileSync(out, 'utf8')) as SoakResult;
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  return { result, passed: code === 0 };
}

const listed = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

/** The section of docs/benchmarks.md for one soak. */
export function soakSection(r: SoakResult, passed: boolean, command: string): string {
  const m = r.mlflow;
  const faults = r.recovery
    .map(
      (f) =>
        `| ${f.fault} | ${f.durationS} s | ${f.probesFailed} of ${f.probesTotal} | ${f.lastFailureAfterStartS === null ? 'no failed probe' : `${f.lastFailureAfterStartS} s`} | ${f.recoveredAfterEndS === null ? 'n/a' : `${f.recoveredAfterEndS} s`} | ${f.note} |`,
    )
    .join('\n');
  return `
## Replicas under load and faults (issue 24) — ${r.date.slice(0, 10)}

Machine: ${describeMachine()} (shared, loaded by other work). Command: \`${command}\`. All on loopback: two \`modelyard serve\` replicas (compiled build) behind HAProxy (round robin, readiness checks every 500 ms), one PostgreSQL (\`scripts/postgres.sh\`), ${r.s3 === 'minio' ? 'MinIO (`scripts/go-tools.sh minio`)' : 'moto'} as the S3 artifact store, two \`modelyard runner\` processes. Load for ${r.elapsedS} s: ${r.clients} real mlflow clients (one process each; batches of 10 points, an artifact of 1–8 KiB every 5th batch; the client's own retries: 6, 1 s doubling), a pipeline of two jobs every ${Math.max(3, r.seconds / 12).toFixed(0)} s through the runners, a signed-in UI session reading a page every 200 ms, and a probe (a database read and an S3 listing) every 200 ms. Verdict: ${passed ? '**all checks passed**' : '**checks failed**'}.

| Measure | Result |
| --- | --- |
| requests through HAProxy | ${r.haproxy.requests?.toLocaleString('en')} (2xx ${r.haproxy['2xx']}, 4xx ${r.haproxy['4xx']}, 5xx ${r.haproxy['5xx']}; backend connection errors ${r.haproxy.backend_connection_errors}, redispatched ${r.haproxy.redispatches}) |
| mlflow client calls | ${m.calls.toLocaleString('en')}, ${m.ok.toLocaleString('en')} answered |
| failures the mlflow clients saw (after their retries), by class | ${listed(m.clientVisibleFailures)}; non-retryable: ${m.nonRetryable} |
| slowest client call (retries included) | ${m.slowestCallS} s |
| acknowledged metric points read back | ${m.pointsChecked.toLocaleString('en')} checked, ${m.pointsMissing} missing |
| acknowledged artifacts read back (sha256) | ${m.artifactsChecked.toLocaleString('en')} checked, ${m.artifactsBad} missing or different |
| pipelines / jobs | ${r.pipelines.created} (${listed(r.pipelines.pipelineStatuses)}) / ${r.pipelines.jobs} (${listed(r.pipelines.jobStatuses)}); ran twice: ${r.pipelines.ranTwice.length}; left unfinished: ${r.pipelines.stranded.length} |
| UI session | cookie still valid after its replica's death: ${r.ui.cookieSurvived ? 'yes' : 'NO'}; page reads: ${listed(r.ui.requests)} |

| Fault | Lasted | Probes failed | Last failed probe after the fault began | First good probe after the fault ended | |
| --- | --- | --- | --- | --- | --- |
${faults}
`;
}
