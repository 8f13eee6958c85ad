import { execFile } from 'node:child_process';

const PROBE = "import sys, importlib.metadata as m\nprint(sys.version.split()[0])\nprint(m.version('mlflow'))";

/** The Python's version and its mlflow's, for the check-in; undefined when either is missing. */
export function pythonInfo(python: string): Promise<{ version: string; mlflow: string } | undefined> {
  return new Promise((resolve) => {
    execFile(python, ['-c', PROBE], { timeout: 60_000 }, (error, stdout) => {
      const [version, mlflow] = stdout.trim().split('\n');
      resolve(error || !version || !mlflow ? undefined : { version: version.slice(0, 64), mlflow: mlflow.slice(0, 64) });
    });
  });
}
