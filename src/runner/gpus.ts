import { execFile } from 'node:child_process';

export interface GpuInfo {
  name: string;
  memory_mib?: number;
  driver?: string;
}

/**
 * NVIDIA GPUs, as `nvidia-smi` lists them; none when it is missing or fails (a CPU machine).
 * The runner reports them, so people can see which runner has which cards and tag it `gpu`.
 */
export function detectGpus(binary = process.env.MODELYARD_NVIDIA_SMI ?? 'nvidia-smi'): Promise<GpuInfo[]> {
  return new Promise((resolve) => {
    execFile(binary, ['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader,nounits'], { timeout: 10_000 }, (error, stdout) => {
      if (error) return resolve([]);
      resolve(parseGpuList(stdout));
    });
  });
}

export function parseGpuList(csv: string): GpuInfo[] {
  return csv
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [name = '', memory, driver] = line.split(',').map((part) => part.trim());
      const mib = Number(memory);
      return { name, ...(Number.isFinite(mib) && memory !== '' ? { memory_mib: mib } : {}), ...(driver ? { driver } : {}) };
    });
}
