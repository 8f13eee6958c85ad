import { median } from './http.ts';
import { spread, type PostgresBenchResult, type Workload } from './postgres.ts';

/** The targets of issue 23 for a workload, by its label; `null` where the issue sets none. */
function targetOf(w: Workload, sizes: number[]): { text: string; met: (my: number, ratio: number | null) => boolean; verdict?: string } | null {
  const [small, large] = sizes as [number, number];
  if (w.unit === 'points/s') return { text: '≥ 150,000/s and ≥ 15×', met: (my, ratio) => my >= 150_000 && (ratio ?? 0) >= 15 };
  if (w.label.startsWith('runs/search')) {
    const limit = w.label.includes(`over ${large.toLocaleString('en')} runs`) ? 20 : w.label.includes(`over ${small.toLocaleString('en')} runs`) ? 5 : Infinity;
    if (w.label.includes('OR:')) return { text: `≤ ${limit} ms`, met: (my) => my <= limit };
    return { text: `≤ ${limit} ms and ≥ 10×`, met: (my, ratio) => my <= limit && (ratio ?? 0) >= 10 };
  }
  // The history targets are set for 1,000,000 points and 100 runs × 10,000: a --quick run's
  // smaller series are not held to them (their verdict says so).
  const full = small === 20_000;
  if (w.label.startsWith('full history')) return { text: '≤ 1 s for 1,000,000 points', met: (my) => full && my <= 1000, ...(full ? {} : { verdict: 'not comparable (quick size)' }) };
  if (w.label.startsWith('get-history-bulk-interval'))
    return { text: '≤ 10 ms for 100 runs × 10,000 points', met: (my) => full && my <= 10, ...(full ? {} : { verdict: 'not comparable (quick size)' }) };
  if (w.label.startsWith('registry')) return { text: '≤ 10 ms', met: (my) => my <= 10 };
  return null;
}

function cost(w: Workload | undefined): string {
  if (!w || Number.isNaN(w.serverCpuMsPerRequest)) return '';
  return `${w.serverCpuMsPerRequest.toFixed(2)} + ${w.postgresCpuMsPerRequest.toFixed(2)} ms, ${w.statementsPerRequest.toFixed(1)} stmts`;
}

export function postgresSection(result: PostgresBenchResult, machine: string, command: string): { section: string; plans: string } {
  const my = result.servers.find((s) => s.name === 'Modelyard')!;
  const ml = result.servers.find((s) => s.name === 'MLflow')!;
  const rows = my.workloads.map((w) => {
    const other = ml.workloads.find((o) => o.label === w.label);
    const mine = median(w.samples);
    const theirs = other && other.samples.length > 0 ? median(other.samples) : null;
    const ratio = theirs === null ? null : w.unit === 'ms' ? theirs / mine : mine / theirs;
    const target = targetOf(w, result.sizes);
    const verdict = target ? (target.verdict ?? (target.met(mine, ratio) ? 'met' : 'missed')) : '';
    return `| ${w.label} | ${spread(w)} | ${other ? spread(other) : 'n/a'} | ${ratio === null ? '' : `${ratio.toFixed(1)}×`} | ${cost(w)} | ${cost(other)} | ${target?.text ?? ''} | ${verdict} |`;
  });
  const readBack = (s: typeof my) => `${s.name} read back ${s.readBack.found.toLocaleString('en')} of ${s.readBack.expected.toLocaleString('en')} acknowledged points`;
  const section = `
## PostgreSQL (issue 23) — ${new Date().toISOString().slice(0, 10)}

Machine: ${machine}. Command: \`${command}\`. PostgreSQL: ${result.postgres}; started by \`scripts/postgres.sh\` with \`MODELYARD_PG_DURABLE=1\` (its durable defaults, unlike the test suites' server) on its own port and data folder, with \`pg_stat_statements\` and \`auto_explain\` preloaded (auto_explain off until the plans are captured after the measurements). Each server on its own database of that one PostgreSQL, one server at a time; MLflow 3.17.2 from \`bench/requirements-postgres.txt\` (with psycopg2), its search and history data seeded directly into its tables, Modelyard's over HTTP. \`ANALYZE\` after each bulk load, for both.

The machine is shared with other engineers' work: load average before \`${result.uptimeBefore}\`, after \`${result.uptimeAfter}\`. Wall-clock times move with that load; the CPU columns (the server process tree's and PostgreSQL's CPU time per request, from /proc, in 10 ms ticks over all repetitions) and the statements per request (pg_stat_statements, \`BEGIN\`/\`COMMIT\` included) move much less.

| Workload | Modelyard, median (lowest–highest) | MLflow server | Ratio | Modelyard CPU per request (server + PostgreSQL), statements | MLflow, same | Target | |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

Durability check: ${readBack(my)}; ${readBack(ml)}.
Plans of every statement of these workloads (\`EXPLAIN (ANALYZE, BUFFERS)\` through auto_explain, with the real parameters) and the server's CPU profile under ingest: [postgres-plans.md](postgres-plans.md).
`;
  const plans = `# PostgreSQL: plans and profile (issue 23)

Written by \`${command}\` on ${new Date().toISOString().slice(0, 10)}; ${result.postgres}. See the PostgreSQL section of [benchmarks.md](benchmarks.md).

## Modelyard server CPU profile under ingest

\`node --cpu-prof\` on the server while 4 writers logged 1000-point batches, on the durable PostgreSQL above.

${result.profile}

## Statement plans

One call of each workload with auto_explain on (\`log_min_duration = 0\`, \`log_analyze\`, \`log_buffers\`, nested statements): log-batch (twice on one run, so that the second one updates the latest values and rollups), each search at ${result.sizes[1]!.toLocaleString('en')} runs, the first page of the long history and the bulk-interval read. The first plan of each distinct statement is kept; long \`VALUES\` lists are shortened.

${result.plans}
`;
  return { section, plans };
}
