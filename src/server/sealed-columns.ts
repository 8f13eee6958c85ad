import { WEBHOOK_SEALED_COLUMNS } from '../events/webhook-tables.ts';
import { IMPORT_SEALED_COLUMNS } from '../imports/tables.ts';
import { INTEGRATION_SEALED_COLUMNS } from '../integrations/google/integration-tables.ts';
import { PIPELINE_SEALED_COLUMNS } from '../pipelines/tables.ts';
import type { SealedColumn } from '../secrets/sealed-column.ts';
import { TARGET_SEALED_COLUMNS } from '../targets/tables.ts';

/**
 * Every column that holds sealed values, as the domains declare them: what a key rotation
 * seals again and what the start-up check reads. A domain that seals a new column adds it here.
 */
export const SEALED_COLUMNS: readonly SealedColumn[] = [...WEBHOOK_SEALED_COLUMNS, ...PIPELINE_SEALED_COLUMNS, ...TARGET_SEALED_COLUMNS, ...IMPORT_SEALED_COLUMNS, ...INTEGRATION_SEALED_COLUMNS];
