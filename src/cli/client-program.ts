import { Option, type Command } from 'commander';

/**
 * The client commands: they reach a Modelyard server over its public HTTP API only, as the
 * user `modelyard login` saved (or MODELYARD_URL and MODELYARD_TOKEN). Each loads its module
 * when it runs, so that `--help` and completion stay fast.
 */
const account = () => import('./client/account-commands.ts');
const registry = () => import('./client/registry-commands.ts');
const pipelines = () => import('./client/pipeline-commands.ts');
const environments = () => import('./client/environment-commands.ts');
const packages = () => import('./client/package-commands.ts');
const imports = () => import('./client/import-commands.ts');

/** --url, --token and --output on every client command; --project on those that work in one. */
function client(command: Command, { project = true } = {}): Command {
  command
    .option('--url <url>', 'the server (default: MODELYARD_URL, else the one modelyard login saved)')
    .option('--token <token>', 'an access token (default: MODELYARD_TOKEN, else the saved one)')
    .addOption(new Option('-o, --output <format>', 'json for scripts, table for people').choices(['json', 'table']).default('table'));
  if (project) command.option('-p, --project <id-or-path>', 'the project (default: MODELYARD_PROJECT, else the one modelyard login saved)');
  return command;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
const PART_SIZE_HELP = 'files larger than this go up in parts of this size (at least 5 MiB; default 64 MiB)';

export function addClientCommands(program: Command): void {
  client(program.command('login').description('check a token against a server and keep both in the config folder (mode 0600) for the other commands'), { project: true })
    .option('--token-stdin', 'read the token from standard input (keeps it out of the shell history)')
    .action(async (options) => (await account()).loginCommand(options));
  program
    .command('logout')
    .description('forget the saved server and token')
    .action(async () => (await account()).logoutCommand());
  client(program.command('whoami').description('the user the token belongs to'), { project: false }).action(async (options) => (await account()).whoamiCommand(options));
  client(program.command('projects').description('the projects you can see'), { project: false })
    .option('--search <text>', 'only projects whose name or path has this')
    .action(async (options) => (await account()).projectsCommand(options));
  const models = program.command('models').description("the project's registered models: list (the default), create");
  client(models.command('list', { isDefault: true }).description("the project's registered models")).action(async (options) => (await registry()).modelsCommand(options));
  client(models.command('create').argument('<name>').description('register a new model'))
    .option('--description <text>')
    .action(async (name, options) => (await registry()).modelsCreateCommand(name, options));

  const importing = program.command('import').description('import a model from elsewhere into a new version: hf (the Hugging Face Hub), vertex (Vertex AI)');
  client(
    importing
      .command('hf')
      .argument('<repository>', 'namespace/name on the Hub (MODELYARD_HF_ENDPOINT of the server)')
      .description('import a Hugging Face repository at a revision into a new version of a model, following its progress'),
  )
    .requiredOption('--model <name>', 'the model that gets the version (made if missing)')
    .option('--revision <rev>', 'a branch, tag or commit (default main); pinned to its commit')
    .option('--include <glob>', 'only files matching it (repeatable)', collect)
    .option('--exclude <glob>', 'no file matching it (repeatable)', collect)
    .option('--token-env <variable>', 'the environment variable holding a Hugging Face token, for private and gated repositories')
    .option('--no-wait', 'print the queued job and return')
    .action(async (repository, options) => (await imports()).importHfCommand(repository, options));
  client(
    importing
      .command('vertex')
      .argument('[vertex-model]', "the Vertex AI model's id (the last part of its resource name)")
      .description('import versions of a Vertex AI model, each into a new version of a model, following their progress'),
  )
    .requiredOption('--google-project <id>', 'the Google Cloud project (id or number) of the Vertex AI registry')
    .requiredOption('--location <region>', "the model's region, e.g. us-central1")
    .option('--model <name>', 'the model that gets the versions (made if missing; needed to import)')
    .option('--list', "list the location's models, or the model's versions, instead of importing")
    .requiredOption('--key-file <path>', "a service account's JSON key (sent to the server, kept sealed until the jobs end)")
    .option('--version <id-or-alias>', 'a version to import (repeatable; default: every version)', collect)
    .option('--aiplatform-url <url>', 'the Vertex AI endpoint (default https://<location>-aiplatform.googleapis.com)')
    .option('--storage-url <url>', 'the Cloud Storage endpoint (default https://storage.googleapis.com)')
    .option('--no-wait', 'print the queued jobs and return')
    .action(async (vertexModel, options) => (await imports()).importVertexCommand(vertexModel, options));

  const versions = program.command('versions').description("a model's versions: list, show, create, approve, label, edit, upload and download files");
  client(versions.command('list').argument('<model>').description("a model's versions, newest first")).action(async (model, options) => (await registry()).versionsListCommand(model, options));
  client(versions.command('show').argument('<model>').argument('<version>', 'the version number').description('one version')).action(async (model, version, options) =>
    (await registry()).versionsShowCommand(model, version, options),
  );
  client(versions.command('create').argument('<model>').description('a new version (for files you then upload, or from a run with --run-id)'))
    .option('--semver <x.y.z>', 'its semantic version (default: the next patch)')
    .option('--description <text>')
    .option('--run-id <id>', 'the run it comes from')
    .action(async (model, options) => (await registry()).versionsCreateCommand(model, options));
  client(versions.command('approve').argument('<model>').argument('<version>').description('approve a version (maintainers; not the one who asked)'))
    .option('--comment <text>')
    .option('--reject', 'reject it instead')
    .action(async (model, version, options) => (await registry()).versionsApproveCommand(model, version, options));
  client(versions.command('label').argument('<model>').argument('<version>').argument('<label>').description('label a version (a scoped label replaces its scope)'))
    .option('--remove', 'remove the label instead')
    .action(async (model, version, label, options) => (await registry()).versionsLabelCommand(model, version, label, options));
  client(versions.command('edit').argument('<model>').argument('<version>').description("edit a version's card: its description and its fields"))
    .option('--description <text>', "the card's description (Markdown)")
    .option('--card <field=value>', 'a card field: intended_use, limitations, training_data, evaluation_metrics or license (repeatable)', collect)
    .option('--card-file <path>', 'card fields from a JSON object ({"intended_use": "...", ...}); --card values win')
    .action(async (model, version, options) => (await registry()).versionsEditCommand(model, version, options));
  client(
    versions
      .command('upload')
      .argument('<model>')
      .argument('<version>')
      .argument('<files...>')
      .description("upload files to a version's package (a progress bar on a terminal); large files go up in parts, so running it again resumes"),
  )
    .option('--dir <path>', 'the folder in the package they go to')
    .option('--part-size <bytes>', PART_SIZE_HELP)
    .action(async (model, version, files, options) => (await packages()).versionUploadCommand(model, version, files, options));
  client(versions.command('download').argument('<model>').argument('<version>').argument('<file>', 'its path in the package').description('download a file of a version; run again to resume'))
    .option('--to <path>', 'where to write it (default: its name, here)')
    .action(async (model, version, file, options) => (await packages()).versionDownloadCommand(model, version, file, options));

  const packageCommands = program.command('packages').description('generic packages: upload and download files');
  client(
    packageCommands
      .command('upload')
      .argument('<name>')
      .argument('<version>')
      .argument('<files...>')
      .description('upload files; files already there with the same bytes are skipped, and large files go up in parts, so running it again resumes'),
  )
    .option('--part-size <bytes>', PART_SIZE_HELP)
    .action(async (name, version, files, options) => (await packages()).packageUploadCommand(name, version, files, options));
  client(packageCommands.command('download').argument('<name>').argument('<version>').argument('<file>').description('download a file; run again to resume'))
    .option('--to <path>', 'where to write it (default: its name, here)')
    .action(async (name, version, file, options) => (await packages()).packageDownloadCommand(name, version, file, options));

  const pipelineCommands = program.command('pipelines').description('CI pipelines');
  client(pipelineCommands.command('run').description('run a pipeline; with --watch, stream its logs and exit with its outcome (7: failed or canceled)'))
    .option('--ref <ref>', 'the branch or tag (default: the default branch)')
    .option('--variable <key=value>', 'a variable for the pipeline (repeatable)', collect)
    .option('--watch', 'follow it to its end')
    .option('--interval <seconds>', 'how often --watch asks', '2')
    .action(async (options) => (await pipelines()).runPipelineCommand(options));

  client(program.command('rollback').argument('<environment>').description("deploy the environment's previous successful deployment again"))
    .requiredOption('--reason <text>', 'why, recorded on the deployment')
    .action(async (environment, options) => (await environments()).rollbackCommand(environment, options));
  client(program.command('traffic').argument('<environment>').description("how an environment's traffic is split; --promote takes a canary to its next step"))
    .option('--promote', 'take the canary to its next step now')
    .option('--reason <text>', 'why, with --promote')
    .action(async (environment, options) => (await environments()).trafficCommand(environment, options));
}
