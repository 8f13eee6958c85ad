import { maskSecrets } from '../pipelines/traces-service.ts';
import type { Job, ProtocolClient } from './protocol-client.ts';

/** Send at most this much in one request. */
const MAX_CHUNK = 512 * 1024;

/**
 * A job's output on its way to the server: buffered, sent every `intervalMs`, whole lines at a
 * time so that a secret split across two writes is still masked, and appended at the byte
 * offset the server confirmed last (a lost request is re-sent, never written twice).
 */
export class LogStream {
  private pending = '';
  private offset = 0;
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> = Promise.resolve();
  /** A chunk whose answer never came: sent again, unchanged, so the server can tell it has it. */
  private unconfirmed: string | null = null;
  /** The job's status as the server reported it with the last chunk. */
  lastStatus = 'running';

  constructor(
    private readonly client: ProtocolClient,
    private readonly job: Job,
    private readonly secrets: string[],
    private readonly intervalMs = 1000,
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

  private async send(final: boolean): Promise<void> {
    for (;;) {
      let text = this.unconfirmed;
      if (text === null) {
        const cut = final ? this.pending.length : this.pending.lastIndexOf('\n') + 1;
        if (cut <= 0) return;
        text = this.pending.slice(0, Math.min(cut, MAX_CHUNK));
        // Never cut inside a line unless the line itself is longer than a chunk.
        const lastNewline = text.lastIndexOf('\n');
        if (text.length === MAX_CHUNK && lastNewline > 0) text = text.slice(0, lastNewline + 1);
      }
      const chunk = Buffer.from(maskSecrets(text, this.secrets), 'utf8');
      this.unconfirmed = text;
      const result = await this.client.appendTrace(this.job, this.offset, chunk);
      this.unconfirmed = null;
      this.lastStatus = result.status;
      if (result.accepted || result.size === this.offset + chunk.length) {
        this.offset += chunk.length;
        this.pending = this.pending.slice(text.length);
      } else if (result.status !== 'running') {
        this.pending = ''; // the job ended on the server (canceled): nothing more is taken
        return;
      } else {
        this.offset = result.size; // the server has another length: continue from there
      }
      if (this.pending.length === 0 || (!final && this.pending.lastIndexOf('\n') < 0)) return;
    }
  }
}
