import path from 'node:path';
import type { ServerSpec } from '../agent-protocol/protocol.ts';

export interface ServerCommand {
  program: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** Variables of the agent that its model servers must not see (its own credential). */
export const PRIVATE_VARIABLES = ['MODELYARD_AGENT_TOKEN'];

const fill = (text: string, values: { model_dir: string; host: string; port: number }) =>
  text.replaceAll('{model_dir}', values.model_dir).replaceAll('{host}', values.host).replaceAll('{port}', String(values.port));

/**
 * How a model server starts, bound to the agent's listen address (loopback unless
 * `--listen-address` says otherwise): MLflow's scoring server from the agent's Python
 * (`--env-manager local`: the model runs in that environment; the default would build a
 * virtualenv and download a Python), or the environment's command template with `{model_dir}`,
 * `{host}` and `{port}` filled in. No shell runs either: arguments are passed as they are.
 */
export function serverCommand(spec: ServerSpec, options: { python: string; modelDir: string; host: string; port: number; baseEnv: NodeJS.ProcessEnv }): ServerCommand {
  const env: NodeJS.ProcessEnv = { ...options.baseEnv };
  for (const name of PRIVATE_VARIABLES) delete env[name];
  if (spec.kind === 'mlflow') {
    // MLflow starts its web server as `bash -c "exec uvicorn …"`: the Python's own bin directory
    // (a virtualenv's) must come first on PATH, as if the environment were activated.
    if (options.python.includes(path.sep)) env.PATH = [path.dirname(options.python), env.PATH].filter(Boolean).join(path.delimiter);
    return {
      program: options.python,
      args: ['-m', 'mlflow', 'models', 'serve', '-m', options.modelDir, '--env-manager', 'local', '-h', options.host, '-p', String(options.port)],
      env,
    };
  }
  const values = { model_dir: options.modelDir, host: options.host, port: options.port };
  for (const [name, value] of Object.entries(spec.env ?? {})) env[name] = fill(value, values);
  const [program, ...args] = spec.argv.map((arg) => fill(arg, values));
  return { program: program!, args, env };
}
