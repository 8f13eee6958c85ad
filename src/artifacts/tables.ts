/** A stored file of a project (run and logged-model artifacts): visible once its row exists. */
export interface ArtifactsTable {
  project_id: number;
  path: string;
  size: number;
  sha256: string;
  /** Where the bytes are in the store: fresh for every upload, so a new upload never writes over bytes being read. */
  store_key: string;
  creator_id: number | null;
  created_at: number;
}

/** A multipart upload in progress; parts are authorized by its secret, held by the uploader. */
export interface UploadsTable {
  id: string;
  project_id: number;
  /** What the upload will become: an artifact path, or a package file (`package:<id>/<name>`). */
  target: string;
  store_key: string;
  store_upload_id: string;
  secret_hash: string;
  num_parts: number;
  creator_id: number | null;
  created_at: number;
  expires_at: number;
}

export interface ArtifactTables {
  artifacts: ArtifactsTable;
  uploads: UploadsTable;
}
