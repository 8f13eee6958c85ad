import { crc32 } from 'node:zlib';
import { maskSecrets, maskTokenPrefixes } from '../runner-protocol/masking.ts';
import { MAX_TRACE_PATCH_BYTES, traceChecksum } from '../runner-protocol/trace.ts';
import type { Job, ProtocolClient } from './protocol-client.ts';

/** Send at most this much in one request (half of GitLab Runner's patch limit). */
const MAX_CHUNK = MAX_TRACE_PATCH_BYTES / 2;

/**
 * A job's output on its way to the server: buffered, sent every `intervalMs`, whole lines at a
 * time so that a secret split across two writes is still masked, and appended at the byte
 * offset the server confirmed last (a lost request is re-sent, never written twice). It keeps
 * the CRC-32 and length of what the server holds, for the final report (`output`).
 */
export class LogStream {
  private pending = '';
  private offset = 0;
  private crc = 0;
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> = Promise.resolve();
  /** A chunk whose answer never came: sent again, unchanged, so the server can tell it has it. */
  private unconfirmed: Buffer | null = null;
  /** The job's status as the server reported it with the last chunk. */
  lastStatus = 'running';

  constructor(
    private readonly client: ProtocolClient,
    private readonly job: Job,
    private readonly secrets: string[],
    private readonly intervalMs = 1000,
    private readonly onStatus: (status: string) => void = () => undefined,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(false), this.intervalMs);
  }

  write(text: string): void {
    this.pending += text;
    if (this.pending.length > MAX_CHUNK * 4) void this.flush(false);
  }

  /** Sends what is buffered; `final` sends a last partial line too. */
  flush(final: boolean): Promise<void> {
    this.sending = this.sending.then(() => this.send(final)).catch(() => undefined);
    return this.sending;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush(true);
  }

  /** GitLab's `output` of the final report: what the server should hold. */
  output(): { checksum: string; bytesize: number } {
    return { checksum: traceChecksum(this.crc), bytesize: this.offset };
  }

  private mask(text: string): Buffer {
    return Buffer.from(maskTokenPrefixes(maskSecrets(text, this.secrets), this.job.features.token_mask_prefixes), 'utf8');
  }

  private async send(final: boolean): Promise<void> {
    for (;;) {
      let chunk = this.unconfirmed;
      let taken = 0;
      if (chunk === null) {
        const cut = final ? this.pending.length : this.pending.lastIndexOf('\n') + 1;
        if (cut <= 0) return;
        let text = this.pending.slice(0, Math.min(cut, MAX_CHUNK));
        // Never cut inside a line unless the line itself is longer than a chunk.
        const lastNewline = text.lastIndexOf('\n');
        if (text.length === MAX_CHUNK && lastNewline > 0) text = text.slice(0, lastNewline + 1);
        taken = text.length;
        chunk = this.mask(text);
        this.pending = this.pending.slice(taken);
      }
      this.unconfirmed = chunk;
      const result = await this.client.appendTrace(this.job, this.offset, chunk);
      this.unconfirmed = null;
      this.lastStatus = result.status;
      if (result.accepted || result.size === this.offset + chunk.length) {
        this.crc = crc32(chunk, this.crc);
        this.offset += chunk.length;
      } else if (result.status !== 'running') {
        this.pending = ''; // the job ended on the server (canceled): nothing more is taken
        this.onStatus(result.status);
        return;
      } else {
        this.offset = result.size; // the server has another length: send the chunk again from there
        this.unconfirmed = chunk;
        continue;
      }
      if (result.status !== 'running') this.onStatus(result.status);
      if (this.pending.length === 0 || (!final && this.pending.lastIndexOf('\n') < 0)) return;
    }
  }
}
