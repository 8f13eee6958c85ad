import { sealedColumn } from '../../secrets/sealed-column.ts';

/** A project's Google Cloud integration: the service-account key its imports and Vertex AI environments use when given none. */
export interface GoogleCloudIntegrationsTable {
  project_id: number;
  /** The key file's JSON, sealed (GOOGLE_CLOUD_SERVICE_ACCOUNT_KEY): never returned. */
  service_account_key: string;
  /** The account the key names, shown in its place. */
  client_email: string;
  created_at: number;
  updated_at: number;
}

export const GOOGLE_CLOUD_SERVICE_ACCOUNT_KEY = sealedColumn('google_cloud_integrations', 'service_account_key', ['project_id']);
export const INTEGRATION_SEALED_COLUMNS = [GOOGLE_CLOUD_SERVICE_ACCOUNT_KEY] as const;

export interface IntegrationTables {
  google_cloud_integrations: GoogleCloudIntegrationsTable;
}
