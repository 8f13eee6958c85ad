import type { JobVariable } from '../runner-protocol/job-response.ts';

const REFERENCE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/**
 * A job's variables as environment values, the way GitLab Runner prepares them: in order, each
 * non-`raw` value has its `$NAME` and `${NAME}` references replaced by the values known so far
 * (unknown names become empty, as in a shell); `raw` values are taken as they are.
 */
export function expandVariables(variables: readonly JobVariable[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const variable of variables) {
    values[variable.key] = variable.raw ? variable.value : variable.value.replace(REFERENCE, (_match, braced: string | undefined, bare: string | undefined) => values[(braced ?? bare)!] ?? '');
  }
  return values;
}

/** The value of a variable by name, as the job will see it. */
export function variableValue(variables: readonly JobVariable[], key: string): string | undefined {
  return [...variables].reverse().find((v) => v.key === key)?.value;
}
