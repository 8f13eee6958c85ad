import { ProtocolError, type ReportOutcome } from './protocol-client.ts';

/** GitLab Runner asks again this many times while the server says the log is incomplete (202). */
const INCOMPLETE_LOG_TRIES = 10;

export interface FinalReportPatience {
  /** First wait after a try the server did not answer; doubled after each such try. */
  firstWaitMs: number;
  /** The longest wait between two tries. */
  maxWaitMs: number;
  /** Give up when the server has not answered for this long. */
  giveUpAfterMs: number;
}

/**
 * A job's verdict must reach the server even when the server is away as the job ends (a
 * restart, a replica dying behind a load balancer): a verdict lost there fails a job whose
 * script succeeded. So a report that got no answer (the connection failed, timed out, or a 5xx
 * from a proxy or a server starting) is sent again with back-off, for up to an hour by default;
 * the log's last part is flushed again before each try, since it was lost the same way.
 * Any answer of the protocol ends it: 200 taken, 403 no longer running; a 202 (the server misses
 * part of the log) is asked again as GitLab Runner does, a bounded number of times.
 */
export const DEFAULT_FINAL_REPORT_PATIENCE: FinalReportPatience = { firstWaitMs: 1000, maxWaitMs: 30_000, giveUpAfterMs: 60 * 60 * 1000 };

export async function sendFinalReport(
  send: () => Promise<ReportOutcome>,
  flushLog: () => Promise<void>,
  log: (line: string) => void,
  patience: FinalReportPatience = DEFAULT_FINAL_REPORT_PATIENCE,
): Promise<ReportOutcome | null> {
  const started = Date.now();
  let wait = patience.firstWaitMs;
  let incomplete = 0;
  for (;;) {
    try {
      const outcome = await send();
      if (outcome.code !== 202 || ++incomplete >= INCOMPLETE_LOG_TRIES) return outcome;
      wait = patience.firstWaitMs;
      await sleep(Math.min(patience.firstWaitMs * incomplete, 5 * patience.firstWaitMs));
    } catch (error) {
      if (!isUnanswered(error)) throw error;
      const waited = Date.now() - started;
      if (waited >= patience.giveUpAfterMs) {
        log(`the final report got no answer for ${Math.round(waited / 1000)} s, giving up: ${(error as Error).message}`);
        return null;
      }
      log(`the final report got no answer (${(error as Error).message}); trying again in ${Math.round(wait / 1000)} s`);
      await sleep(wait);
      wait = Math.min(wait * 2, patience.maxWaitMs);
    }
    await flushLog();
  }
}

/** No answer of the protocol: the server was unreachable, too slow, or a proxy/gateway stood in. */
function isUnanswered(error: unknown): boolean {
  return !(error instanceof ProtocolError) || error.status >= 500;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
