import { describe, expect, it } from 'vitest';
import { serverCommand } from '../../src/agent/server-command.ts';

const base = { PATH: '/usr/bin', HOME: '/home/agent', MODELYARD_AGENT_TOKEN: 'glagent-secret' };

describe('the command a model server starts with', () => {
  it("is MLflow's scoring server on loopback with the local env manager, the Python's bin first on PATH", () => {
    const command = serverCommand({ kind: 'mlflow' }, { python: '/opt/venv/bin/python', modelDir: '/var/lib/modelyard-agent/archives/abc', host: '127.0.0.1', port: 5001, baseEnv: base });
    expect([command.program, ...command.args]).toEqual([
      '/opt/venv/bin/python',
      '-m',
      'mlflow',
      'models',
      'serve',
      '-m',
      '/var/lib/modelyard-agent/archives/abc',
      '--env-manager',
      'local',
      '-h',
      '127.0.0.1',
      '-p',
      '5001',
    ]);
    expect(command.env.PATH).toBe('/opt/venv/bin:/usr/bin');
    expect(serverCommand({ kind: 'mlflow' }, { python: 'python3', modelDir: '/m', host: '127.0.0.1', port: 1, baseEnv: base }).env.PATH).toBe('/usr/bin');
  });

  it("is the environment's template with {model_dir}, {host} and {port} filled in, arguments and variables alike, and no shell", () => {
    const command = serverCommand(
      {
        kind: 'command',
        argv: ['/srv/serve', '--model={model_dir}/weights', '--bind', '{host}:{port}', '$HOME; rm -rf /'],
        env: { MODEL_PORT: '{port}', MODEL_DIR: '{model_dir}', MODEL_HOST: '{host}' },
      },
      { python: 'python3', modelDir: '/var/lib/modelyard-agent/archives/abc', host: '10.1.2.3', port: 5002, baseEnv: base },
    );
    expect([command.program, ...command.args]).toEqual(['/srv/serve', '--model=/var/lib/modelyard-agent/archives/abc/weights', '--bind', '10.1.2.3:5002', '$HOME; rm -rf /']);
    expect(command.env).toMatchObject({ MODEL_PORT: '5002', MODEL_DIR: '/var/lib/modelyard-agent/archives/abc', MODEL_HOST: '10.1.2.3', HOME: '/home/agent' });
  });

  it("listens on the agent's --listen-address, so a gateway in another pod reaches it", () => {
    const command = serverCommand({ kind: 'mlflow' }, { python: 'python3', modelDir: '/m', host: '10.1.2.3', port: 5003, baseEnv: base });
    expect(command.args.slice(-4)).toEqual(['-h', '10.1.2.3', '-p', '5003']);
  });

  it("never passes the agent's token on", () => {
    expect(serverCommand({ kind: 'mlflow' }, { python: 'python3', modelDir: '/m', host: '127.0.0.1', port: 1, baseEnv: base }).env.MODELYARD_AGENT_TOKEN).toBeUndefined();
    expect(serverCommand({ kind: 'command', argv: ['x'] }, { python: 'python3', modelDir: '/m', host: '127.0.0.1', port: 1, baseEnv: base }).env.MODELYARD_AGENT_TOKEN).toBeUndefined();
  });
});
