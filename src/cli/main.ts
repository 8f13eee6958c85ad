import { Command, Option } from 'commander';
import { ConfigError, loadConfig } from '../server/config.ts';
import { createLogger } from '../server/logger.ts';
import { startServer } from '../server/start.ts';
import { VERSION } from '../server/version.ts';
import { createUserCommand, createTokenCommand, migrateCommand } from './admin-commands.ts';

const program = new Command('modelyard').description('Modelyard: MLflow-compatible tracking, model registry and pipelines').version(VERSION);

program
  .command('serve')
  .description('start the server (configuration from MODELYARD_* environment variables)')
  .action(async () => {
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

program.command('migrate').description('apply database migrations and exit').action(migrateCommand);

const admin = program.command('admin').description('administration');
admin
  .command('create-user')
  .description('create a user; prints a generated password unless --password is given')
  .requiredOption('--username <username>')
  .option('--name <name>')
  .option('--email <email>')
  .option('--password <password>')
  .option('--admin', 'make the user a site administrator', false)
  .action(createUserCommand);

const token = program.command('token').description('access tokens');
token
  .command('create')
  .description('create a personal access token for a user and print it (shown once)')
  .requiredOption('--username <username>')
  .requiredOption('--name <name>')
  .addOption(new Option('--scopes <scopes>', 'comma-separated: api, read_api, read_model_registry, write_model_registry').default('api'))
  .option('--expires-at <date>', 'YYYY-MM-DD')
  .action(createTokenCommand);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`modelyard: configuration error: ${error.message}\n`);
  } else {
    process.stderr.write(`modelyard: ${(error as Error).message}\n`);
  }
  process.exit(1);
}
