import type { PackageFileNative, PackageNative, StorageUsageNative } from './contract.ts';
import type { PackageFileRow, PackageRow } from './packages-service.ts';
import type { StorageUsage } from './storage-usage.ts';

export function presentPackage(row: PackageRow, publicUrl: string): PackageNative {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    package_type: row.package_type,
    status: row.status,
    created_at: new Date(row.created_at).toISOString(),
    last_downloaded_at: null,
    tags: [],
    _links: { web_path: `/projects/${row.project_id}/packages/${row.id}`, delete_api_path: `${publicUrl}/api/v4/projects/${row.project_id}/packages/${row.id}` },
  };
}

export function presentPackageFile(row: PackageFileRow): PackageFileNative {
  return {
    id: row.id,
    package_id: row.package_id,
    created_at: new Date(row.created_at).toISOString(),
    file_name: row.file_name,
    size: row.size,
    file_sha256: row.sha256,
  };
}

export function presentStorageUsage(usage: StorageUsage): StorageUsageNative {
  return { artifacts: usage.artifacts, packages: usage.packages, total_bytes: usage.artifacts.bytes + usage.packages.bytes };
}
