import os from 'node:os';
import path from 'node:path';
import { Agent } from '../agent/agent.ts';
import { listenAddressOf } from '../agent/listen-address.ts';
import { SERVE_MODES, type ServeMode } from '../agent/container-command.ts';
import { VERSION } from '../shared/version.ts';

export interface AgentCommandOptions {
  url: string;
  token?: string;
  labels?: string;
  workDir?: string;
  python: string;
  listenAddress?: string;
  serveWith?: string;
}

/** `modelyard agent --url URL --token glagent-…`: serves what the server assigns until SIGTERM. */
export async function agentCommand(options: AgentCommandOptions): Promise<void> {
  const token = options.token ?? process.env.MODELYARD_AGENT_TOKEN;
  if (!token) throw new Error('--token (or MODELYARD_AGENT_TOKEN) is required');
  const mode = options.serveWith ?? 'process';
  if (!SERVE_MODES.includes(mode as ServeMode)) throw new Error(`--serve-with is one of ${SERVE_MODES.join(', ')}`);
  const agent = new Agent({
    url: options.url,
    token,
    labels: (options.labels ?? '')
      .split(',')
      .map((label) => label.trim())
      .filter(Boolean),
    workDir: path.resolve(options.workDir ?? path.join(os.homedir(), '.modelyard-agent')),
    python: options.python,
    listenAddress: listenAddressOf(options.listenAddress ?? process.env.MODELYARD_AGENT_LISTEN_ADDRESS),
    mode: mode as ServeMode,
    version: VERSION,
    log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  });
  const stop = (signal: string) => {
    process.stdout.write(`${new Date().toISOString()} ${signal}: stopping the model servers\n`);
    agent.stop();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  await agent.run();
}
