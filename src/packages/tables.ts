import type { Generated } from 'kysely';

export interface PackagesTable {
  id: Generated<number>;
  project_id: number;
  package_type: 'generic' | 'ml_model';
  name: string;
  version: string;
  status: 'default' | 'hidden';
  creator_id: number | null;
  created_at: number;
  updated_at: number;
}

export interface PackageFilesTable {
  id: Generated<number>;
  package_id: number;
  /** The file's name, or a relative path inside an ml_model package (`weights/model.bin`). */
  file_name: string;
  size: number;
  sha256: string;
  store_key: string;
  creator_id: number | null;
  created_at: number;
}

export interface PackageTables {
  packages: PackagesTable;
  package_files: PackageFilesTable;
}
