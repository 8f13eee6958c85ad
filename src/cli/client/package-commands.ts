import path from 'node:path';
import type { OutputOption } from './account-commands.ts';
import { Api, enc } from './api.ts';
import { outputFormat, printRows } from './output.ts';
import { versionPath } from './registry-commands.ts';
import { projectOf, resolveSettings, type ConnectionOptions } from './settings.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { DEFAULT_PART_SIZE, uploadInParts } from './multipart-upload.ts';
import { downloadFile, sha256Of, sizeOf, uploadFile } from './transfers.ts';

interface PackageFile {
  id?: number;
  file_name: string;
  size: number;
  file_sha256?: string | null;
}

interface Package {
  id: number;
  name: string;
  version: string;
}

interface Uploaded {
  file: string;
  name: string;
  size: number;
  sha256: string;
  skipped: boolean;
  /** For a file sent in parts: the parts sent by this run, and those an interrupted run had sent already. */
  parts?: { sent: number; reused: number };
}

function scoped(options: ConnectionOptions & OutputOption) {
  const settings = resolveSettings(options);
  return { api: new Api(settings), project: enc(projectOf(settings)), format: outputFormat(options.output) };
}

const UPLOAD_COLUMNS = [
  { header: 'file', value: (u: Uploaded) => u.name },
  { header: 'size', value: (u: Uploaded) => u.size },
  { header: 'sha256', value: (u: Uploaded) => u.sha256 },
  { header: 'result', value: (u: Uploaded) => (u.skipped ? 'already there' : 'uploaded') },
];

/** The files a generic package version holds already, by name: an upload run again skips those with the same bytes. */
async function filesThere(api: Api, project: string, name: string, version: string): Promise<Map<string, PackageFile>> {
  const packages = await api.all<Package>(`/projects/${project}/packages?package_type=generic&package_name=${enc(name)}`);
  const found = packages.find((p) => p.name === name && p.version === version);
  if (!found) return new Map();
  const files = await api.all<PackageFile>(`/projects/${project}/packages/${found.id}/package_files`);
  return new Map(files.map((f) => [f.file_name, f]));
}

/** `--part-size`, or the default: files larger than it go up in parts of it. */
function partSizeOf(options: { partSize?: string }): number {
  const partSize = options.partSize === undefined ? DEFAULT_PART_SIZE : Number(options.partSize);
  if (!Number.isSafeInteger(partSize) || partSize < 1) throw new CliError(`--part-size must be a number of bytes, not ${options.partSize}`, ExitCode.usage);
  return partSize;
}

/**
 * `modelyard packages upload NAME VERSION FILE...`: a file the package already holds with the
 * same SHA-256 is skipped, and a file larger than one part goes up in parts (multipart-upload.ts),
 * so an interrupted upload, of many files or of one large one, is resumed by running the same
 * command again.
 */
export async function packageUploadCommand(name: string, version: string, files: string[], options: ConnectionOptions & OutputOption & { partSize?: string }): Promise<void> {
  const { api, project, format } = scoped(options);
  const partSize = partSizeOf(options);
  const there = await filesThere(api, project, name, version);
  const results: Uploaded[] = [];
  for (const file of files) {
    const fileName = path.basename(file);
    const sha256 = await sha256Of(file);
    const existing = there.get(fileName);
    if (existing?.file_sha256 === sha256) {
      results.push({ file, name: fileName, size: existing.size, sha256, skipped: true });
      continue;
    }
    const target = `/projects/${project}/packages/generic/${enc(name)}/${enc(version)}/${enc(fileName)}`;
    if (sizeOf(file) > partSize) {
      const { stored, sent, reused } = await uploadInParts<PackageFile>(api, `/projects/${project}/packages`, `${target}/uploads`, file, partSize);
      results.push({ file, name: fileName, size: stored.size, sha256: stored.file_sha256 ?? sha256, skipped: false, parts: { sent, reused } });
      continue;
    }
    const stored = (await uploadFile(api, `${target}?select=package_file`, file)) as PackageFile;
    results.push({ file, name: fileName, size: stored.size, sha256: stored.file_sha256 ?? sha256, skipped: false });
  }
  printRows(format, results, UPLOAD_COLUMNS);
}

/** `modelyard packages download NAME VERSION FILE [--to PATH]`: resumable (see downloadFile). */
export async function packageDownloadCommand(name: string, version: string, file: string, options: ConnectionOptions & OutputOption & { to?: string }): Promise<void> {
  const { api, project, format } = scoped(options);
  const target = options.to ?? path.basename(file);
  const got = await downloadFile(api, `/projects/${project}/packages/generic/${enc(name)}/${enc(version)}/${enc(file)}`, target);
  printRows(
    format,
    [{ file: target, ...got }],
    [
      { header: 'file', value: (d) => d.file },
      { header: 'size', value: (d) => d.bytes },
      { header: 'sha256', value: (d) => d.sha256 },
      { header: 'resumed_at', value: (d) => d.resumedAt },
    ],
  );
}

/** The files of a model version live in its ml_model package, addressed by the version's row id (`.../files`, `.../uploads`). */
async function versionPackagePath(api: Api, project: string, model: string, version: string): Promise<string> {
  const { id } = await api.get<{ id: number }>(await versionPath(api, project, model, version));
  return `/projects/${project}/packages/ml_models/${id}`;
}

/**
 * `modelyard versions upload MODEL VERSION FILE... [--dir PATH]`: a file larger than one part goes
 * up in parts, as a package's does, so running the same command again resumes it.
 */
export async function versionUploadCommand(model: string, version: string, files: string[], options: ConnectionOptions & OutputOption & { dir?: string; partSize?: string }): Promise<void> {
  const { api, project, format } = scoped(options);
  const partSize = partSizeOf(options);
  const versionPackage = await versionPackagePath(api, project, model, version);
  const results: Uploaded[] = [];
  for (const file of files) {
    const name = [options.dir, path.basename(file)].filter(Boolean).join('/');
    if (sizeOf(file) > partSize) {
      const mlModels = `/projects/${project}/packages/ml_models`;
      const { stored, sent, reused } = await uploadInParts<PackageFile>(api, mlModels, `${versionPackage}/uploads`, file, partSize, { file_name: name });
      results.push({ file, name, size: stored.size, sha256: stored.file_sha256 ?? (await sha256Of(file)), skipped: false, parts: { sent, reused } });
      continue;
    }
    const stored = (await uploadFile(api, `${versionPackage}/files/${name.split('/').map(enc).join('/')}`, file)) as PackageFile;
    results.push({ file, name, size: stored.size, sha256: stored.file_sha256 ?? (await sha256Of(file)), skipped: false });
  }
  printRows(format, results, UPLOAD_COLUMNS);
}

/** `modelyard versions download MODEL VERSION FILE [--to PATH]`: resumable (see downloadFile). */
export async function versionDownloadCommand(model: string, version: string, file: string, options: ConnectionOptions & OutputOption & { to?: string }): Promise<void> {
  const { api, project, format } = scoped(options);
  const versionPackage = await versionPackagePath(api, project, model, version);
  const target = options.to ?? path.basename(file);
  const got = await downloadFile(api, `${versionPackage}/files/${file.split('/').map(enc).join('/')}`, target);
  printRows(
    format,
    [{ file: target, ...got }],
    [
      { header: 'file', value: (d) => d.file },
      { header: 'size', value: (d) => d.bytes },
      { header: 'sha256', value: (d) => d.sha256 },
      { header: 'resumed_at', value: (d) => d.resumedAt },
    ],
  );
}
