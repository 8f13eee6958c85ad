/**
 * Background work that runs every so often in each server replica: never two rounds at once
 * in one process (a slow round is not stacked on), errors reported and not thrown, and the
 * timer does not keep the process alive.
 */
export class Periodic {
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly round: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(intervalMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.round();
    } catch (error) {
      this.onError(error);
    } finally {
      this.running = false;
    }
  }
}
