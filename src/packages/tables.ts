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

/** A resumable multipart upload of one package file, until it completes, is aborted or expires. */
export interface PackageUploadsTable {
  id: string;
  project_id: number;
  package_type: 'generic' | 'ml_model';
  package_name: string;
  package_version: string;
  file_name: string;
  status: 'default' | 'hidden';
  /** What the client declared for the whole file; completion checks both. */
  size: number;
  sha256: string | null;
  /** Every part but the last is exactly this long. */
  part_size: number;
  store_key: string;
  store_upload_id: string;
  creator_id: number | null;
  created_at: number;
  expires_at: number;
}

/** A part the server accepted: its bytes matched the SHA-256 the client sent with them. */
export interface PackageUploadPartsTable {
  upload_id: string;
  part_number: number;
  size: number;
  sha256: string;
  /** The store's name for the part (S3's ETag), which completion hands back to it. */
  etag: string;
  created_at: number;
}

export interface PackageTables {
  packages: PackagesTable;
  package_files: PackageFilesTable;
  package_uploads: PackageUploadsTable;
  package_upload_parts: PackageUploadPartsTable;
}
