/**
 * Background work that runs every so often in each server replica: never two rounds at once
 * in one process (a slow round is not stacked on), errors reported and not thrown, and the
 * timer does not keep the process alive. `stop()` waits for a round in flight, so that what the
 * round uses (the database) can be closed after it.
 */
export class Periodic {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> | null = null;

  constructor(
    private readonly round: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(intervalMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  /** No further rounds; resolves when the round in flight, if any, has ended. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.current;
  }

  tick(): Promise<void> {
    if (this.current) return this.current;
    this.current = this.run().finally(() => {
      this.current = null;
    });
    return this.current;
  }

  private async run(): Promise<void> {
    try {
      await this.round();
    } catch (error) {
      this.onError(error);
    }
  }
}
