import type { Logger } from 'pino';
import { buildApp } from './app.ts';
import type { Config } from '../config/config.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { prepareInstance } from './bootstrap.ts';
import { createServices } from './services.ts';
import type { App } from '../http/types.ts';
import { DEFAULT_DISPATCH, WebhookDispatcher } from '../events/webhook-dispatcher.ts';
import { CiWorker } from '../pipelines/ci-worker.ts';
import { RegistryTriggers } from '../pipelines/registry-triggers.ts';
import { raiseMallocThresholds } from './malloc-thresholds.ts';
import { ServingWorker } from '../serving/worker.ts';
import { listenForMetrics } from './metrics-listener.ts';
import { openKeyring } from '../secrets/keyring.ts';
import { assertKeysForStoredSecrets } from '../secrets/rotation.ts';
import { SEALED_COLUMNS } from './sealed-columns.ts';
import { sweepExpiredUploads } from '../packages/upload-sweeper.ts';
import { BlobDeletions } from '../storage/blob-deletions.ts';

/** How long a stopping server waits for requests in flight (Kubernetes gives a pod 30 s by default). */
const SHUTDOWN_GRACE_MS = 25_000;
export interface RunningServer {
  app: App;
  url: string;
  close(): Promise<void>;
}

/** Migrates, prepares the instance and listens: what `modelyard serve` does. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  await raiseMallocThresholds();
  const keyring = openKeyring(config);
  const database = openDatabase(config.database);
  const applied = await migrateToLatest(database, keyring.box);
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
  for (const warning of config.warnings) logger.warn(warning);
  await assertKeysForStoredSecrets(database.db, keyring, SEALED_COLUMNS);
  const services = createServices(config, database, keyring);
  const orphans = await services.blobStore.cleanOrphans();
  if (orphans > 0) logger.info({ orphans }, 'removed temporary data left by unfinished uploads');
  await prepareInstance(services, logger, { print: (line) => process.stdout.write(`${line}\n`), interactive: process.stdout.isTTY === true });
  const { app, metrics, metricsAccess } = await buildApp(services, logger);
  const dispatcher = new WebhookDispatcher(database.db, keyring.box, logger, services.outbound, DEFAULT_DISPATCH);
  dispatcher.start();
  const triggers = new RegistryTriggers(database.db, services.ciSettings, services.pipelineCreator, logger);
  const ciWorker = new CiWorker(
    {
      triggers,
      lifecycle: services.jobLifecycle,
      handouts: services.jobHandouts,
      artifacts: services.jobArtifacts,
      heartbeatTimeoutMs: config.ci.heartbeatTimeoutMs,
      pickupTimeoutMs: config.ci.pickupTimeoutMs,
    },
    logger,
  );
  ciWorker.start();
  const servingWorker = new ServingWorker(
    { metrics: services.serving.metrics, gates: services.serving.gates, deployments: services.deploymentsWorker, gateIntervalMs: config.serving.gateIntervalMs },
    logger,
  );
  servingWorker.start();
  const uploadSweeper = sweepExpiredUploads(services.packageUploads, logger);
  const blobSweeper = new BlobDeletions(database.db, services.blobStore).startSweeping(logger);
  services.importWorker.start();
  const address = await app.listen({ host: config.host, port: config.port });
  logger.info({ address, database: config.database.dialect, dataDir: config.dataDir }, 'modelyard is listening');
  const metricsListener = config.metrics.address ? await listenForMetrics(config.metrics.address, metrics, metricsAccess) : null;
  if (metricsListener) logger.info({ address: metricsListener.url }, 'metrics are served on their own listener');
  return {
    app,
    url: address,
    async close() {
      // Background rounds still in flight finish first: they use the database closed below.
      const stopping = Promise.all([dispatcher.stop(), ciWorker.stop(), uploadSweeper.stop(), blobSweeper.stop(), services.importWorker.stop()]);
      await metricsListener?.close();
      // Requests in flight finish (new ones get 503, long polls end at once); one that is
      // still running after the grace period is cut so that a stop is never held forever.
      const cut = setTimeout(() => {
        logger.warn({ graceMs: SHUTDOWN_GRACE_MS }, 'requests still running after the shutdown grace period: closing their connections');
        app.server.closeAllConnections();
      }, SHUTDOWN_GRACE_MS);
      await app.close();
      clearTimeout(cut);
      await servingWorker.stop();
      await stopping;
      await services.serving.upstreams.close();
      await database.close();
    },
  };
}
