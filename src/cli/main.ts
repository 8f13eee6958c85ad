import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../config/config-error.ts';
import { VERSION } from '../shared/version.ts';
import { addClientCommands } from './client-program.ts';
import { CliError, ExitCode } from './exit-codes.ts';

// Each command loads its modules when it runs: `--help` and the client commands must not pay
// for loading the whole server (database drivers, Fastify, the AWS SDK, the schema library).
// Only commander and small modules of this folder are imported here; test/unit/cli-entry.test.ts
// keeps it so.
const admin = () => import('./admin-commands.ts');
const ciSteps = () => import('./ci-commands.ts');
const runners = () => import('./runner-commands.ts');
const agents = () => import('./agent-commands.ts');
const deploying = () => import('./deploy-command.ts');
const secretKeys = () => import('./secrets-commands.ts');
const backups = () => import('./backup-commands.ts');
const completion = () => import('./completion.ts');

const program = new Command('modelyard').description('Modelyard: MLflow-compatible tracking, model registry and pipelines').version(VERSION);
// The program's own options (--version) only before a command: `modelyard deploy --version 3` is the model's version.
program.enablePositionalOptions();
// Usage errors reach the catch below (exit code 2) instead of commander's own exit(1).
program.exitOverride();

program
  .command('serve')
  .description('start the server (configuration from MODELYARD_* environment variables)')
  .action(async () => {
    const [{ loadConfig }, { createLogger }, { startServer }] = await Promise.all([import('../config/config.ts'), import('../server/logger.ts'), import('../server/start.ts')]);
    const config = loadConfig();
    const logger = createLogger(config.logLevel);
    const server = await startServer(config, logger);
    const stop = async (signal: string) => {
      logger.info({ signal }, 'shutting down');
      await server.close();
      process.exit(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });

program
  .command('migrate')
  .description('apply database migrations and exit')
  .action(async () => (await admin()).migrateCommand());
program
  .command('backup')
  .description('a consistent backup of the database, blob store files and key file while the server runs (see docs/backup.md)')
  .requiredOption('--to <dir>', 'a new or empty folder')
  .action(async (options) => (await backups()).backupCommand(options));
program
  .command('restore')
  .description('bring a backup back into an empty data folder and empty database (see docs/backup.md)')
  .requiredOption('--from <dir>', 'a folder written by modelyard backup')
  .action(async (options) => (await backups()).restoreCommand(options));

const adminCommands = program.command('admin').description('administration');
adminCommands
  .command('create-user')
  .description('create a user; prints a generated password unless --password is given')
  .requiredOption('--username <username>')
  .option('--name <name>')
  .option('--email <email>')
  .option('--password <password>')
  .option('--admin', 'make the user a site administrator', false)
  .action(async (options) => (await admin()).createUserCommand(options));

const token = program.command('token').description('access tokens');
token
  .command('create')
  .description('create a personal access token for a user and print it (shown once)')
  .requiredOption('--username <username>')
  .requiredOption('--name <name>')
  .addOption(new Option('--scopes <scopes>', 'comma-separated: api, read_api, read_model_registry, write_model_registry, serve').default('api'))
  .option('--expires-at <date>', 'YYYY-MM-DD')
  .action(async (options) => (await admin()).createTokenCommand(options));

const secretsCommands = program.command('secrets').description('the keys stored credentials are sealed with (see docs/security.md)');
secretsCommands
  .command('status')
  .description('the keys held, and how many stored values each one sealed')
  .action(async () => (await secretKeys()).secretsStatusCommand());
secretsCommands
  .command('rotate')
  .description('add a key that seals from now on and seal every stored value again with it')
  .option('--drop-old', 'then remove the keys no stored value uses any more', false)
  .action(async (options) => (await secretKeys()).rotateSecretsCommand(options));
secretsCommands
  .command('drop-old-keys')
  .description('remove from the key file the keys no stored value uses any more')
  .action(async () => (await secretKeys()).dropOldKeysCommand());
secretsCommands
  .command('new-key')
  .description('print a new key for MODELYARD_SECRET_KEY (32 random bytes, base64)')
  .action(async () => (await secretKeys()).newKeyCommand());

const runner = program
  .command('runner')
  .description('run CI jobs for a Modelyard server (shell executor)')
  .option('--url <url>', 'the server, e.g. http://modelyard.example:8080')
  .option('--token <token>', "the runner's authentication token (glrt-... or glrtr-...)")
  .option('--builds-dir <dir>', 'where job working directories go (default ~/.modelyard-runner/builds)')
  .option('--concurrent <n>', 'jobs run at once', '1')
  .option('--heartbeat <seconds>', 'how often a running job is reported alive', '5')
  .option('--max-jobs <n>', 'exit after this many jobs')
  .action(async (options) => {
    if (!options.url || !options.token) throw new Error('--url and --token are required');
    await (await runners()).runnerCommand(options);
  });
runner
  .command('register')
  .description('register with a registration token; prints the runner token')
  .requiredOption('--url <url>')
  .requiredOption('--registration-token <token>')
  .option('--description <text>')
  .option('--tag-list <tags>', 'comma-separated, e.g. gpu,cuda12')
  .option('--run-untagged', 'also take jobs without tags')
  .action(async (options) => (await runners()).registerRunnerCommand(options));

program
  .command('agent')
  .description('serve the model versions a Modelyard server assigns to this machine (see docs/deployments.md)')
  .requiredOption('--url <url>', 'the server, e.g. http://modelyard.example:8080')
  .option('--token <token>', "the agent's token (glagent-...); or MODELYARD_AGENT_TOKEN, which keeps it out of the process list")
  .option('--labels <labels>', 'comma-separated labels, beside the ones the agent was created with')
  .option('--work-dir <dir>', "where versions' files, logs and process records go (default ~/.modelyard-agent)")
  .option('--python <path>', 'the Python with mlflow that serves MLflow models', 'python3')
  .option(
    '--listen-address <ip>',
    "the IP address model servers listen on and are reported at (default 127.0.0.1, for an agent beside the server; in a pod of its own, the pod's IP); or MODELYARD_AGENT_LISTEN_ADDRESS",
  )
  .option('--serve-with <mode>', "process: the model server runs from --python; container: the version's recorded image runs with podman", 'process')
  .action(async (options) => (await agents()).agentCommand(options));

program
  .command('deploy')
  .description('deploy a model version to an environment: in a pipeline job with its job token, else with --url, --project and --token (see docs/deployments.md)')
  .requiredOption('--environment <name>', 'the environment, e.g. "$CI_ENVIRONMENT_NAME" in a deploy job')
  .requiredOption('--model <name>', 'the registered model')
  .requiredOption('--version <ref>', 'a version number, semantic version or alias')
  .option('--policy <json>', 'the traffic policy, e.g. \'{"kind":"canary","steps":[10,50,100]}\' (default: single)')
  .option('--reason <text>', 'why, recorded on the deployment')
  .option('--url <url>', 'the server, outside a pipeline job (a job uses CI_API_V4_URL)')
  .option('--project <id>', 'the project id or path, outside a pipeline job')
  .option('--token <token>', 'an access token with the api scope, outside a pipeline job; or MODELYARD_TOKEN')
  .addOption(new Option('-o, --output <format>', 'json for scripts (the deployment as the API answers it), table for people').choices(['json', 'table']).default('table'))
  .action(async (options) => (await deploying()).deployCommand(options));

const ci = program.command('ci').description('steps for pipeline jobs (used by the bundled templates)');
ci.command('record-evaluation')
  .description('record metrics from a JSON file on $MODEL_NAME version $MODEL_VERSION')
  .requiredOption('--metrics <file>')
  .option('--dataset <name>')
  .action(async (options) => (await ciSteps()).recordEvaluationCommand(options));
ci.command('validate')
  .description("check the version's evaluated metrics against thresholds; fails below them")
  .requiredOption('--thresholds <list>', 'e.g. "accuracy>=0.9,loss<=0.3"')
  .option('--metrics <file>', 'metrics to check instead of the latest recorded evaluation')
  .action(async (options) => (await ciSteps()).validateCommand(options));

addClientCommands(program);

program
  .command('completion')
  .argument('<shell>', 'bash, zsh or fish')
  .description('print a shell completion script, e.g. source <(modelyard completion bash)')
  .action(async (shell: string) => (await completion()).completionCommand(program, shell));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // commander printed the message (or the help, or the version) already.
    process.exit(error.exitCode === 0 ? ExitCode.ok : ExitCode.usage);
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`modelyard: configuration error: ${error.message}\n`);
  } else {
    process.stderr.write(`modelyard: ${(error as Error).message}\n`);
  }
  process.exit(error instanceof CliError ? error.exitCode : ExitCode.error);
}
