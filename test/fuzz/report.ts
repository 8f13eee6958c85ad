import fs from 'node:fs';

/** The figures of one Schemathesis run, read from its JSON report (`--report json`). */
export interface RunFigures {
  role: string;
  exitCode: number;
  seconds: number;
  operationsSelected: number;
  operationsTested: number;
  operationsTotal: number;
  casesGenerated: number;
  failures: number;
  errors: number;
  seed: string;
}

interface JsonReport {
  exit_code: number;
  running_time: number;
  operations: { total: number; selected: number; tested: number };
  test_cases: { generated: number; unique_failures: number };
  errors: unknown[];
}

export function readFigures(role: string, reportFile: string): RunFigures {
  const text = fs.readFileSync(reportFile, 'utf8');
  const report = JSON.parse(text) as JsonReport;
  // The seed is a 128-bit integer: JSON.parse would round it, so it is read as text.
  const seed = /"seed":\s*(\d+)/.exec(text)?.[1] ?? 'unknown';
  return {
    role,
    exitCode: report.exit_code,
    seconds: Math.round(report.running_time),
    operationsSelected: report.operations.selected,
    operationsTested: report.operations.tested,
    operationsTotal: report.operations.total,
    casesGenerated: report.test_cases.generated,
    failures: report.test_cases.unique_failures,
    errors: report.errors.length,
    seed,
  };
}

export function figuresTable(runs: RunFigures[]): string {
  const header = '| role | exit code | operations tested | test cases generated | failures | errors | seconds | seed |';
  const rule = '| --- | --- | --- | --- | --- | --- | --- | --- |';
  const rows = runs.map((r) => `| ${r.role} | ${r.exitCode} | ${r.operationsTested} of ${r.operationsTotal} | ${r.casesGenerated} | ${r.failures} | ${r.errors} | ${r.seconds} | ${r.seed} |`);
  return [header, rule, ...rows].join('\n');
}
