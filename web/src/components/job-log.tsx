import { memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { api } from '../api.ts';
import { AnsiParser, type LogSpan } from '../ansi.ts';
import { LogTree, sectionDuration, type LogNode } from '../log-sections.ts';
import { isLive, type CiStatus } from '../pipelines-model.ts';
import { LogText } from './log-text.tsx';

const POLL_MS = 1000;

/** One received piece of the log; never re-rendered once shown. */
const Chunk = memo(function Chunk({ spans }: { spans: LogSpan[] }) {
  return (
    <>
      {spans.map((s, i) =>
        s.stamp !== undefined ? (
          <time key={i} className="log-time" dateTime={s.stamp} title={`${s.stamp} (UTC)`}>
            {s.stamp.slice(11, 19)}
          </time>
        ) : s.bold || s.colour ? (
          <span key={i} className={`${s.bold ? 'ansi-bold' : ''} ${s.colour ? `ansi-${s.colour}` : ''}`.trim()}>
            <LogText text={s.text} />
          </span>
        ) : (
          <LogText key={i} text={s.text} />
        ),
      )}
    </>
  );
});

/** Sections open as the runner marked them (`[collapsed=true]` ones closed), each with its name, start time and length. */
function Nodes({ nodes }: { nodes: LogNode[] }) {
  return (
    <>
      {nodes.map((node) =>
        node.kind === 'chunk' ? (
          <Chunk key={node.id} spans={node.spans} />
        ) : (
          <details key={node.id} className="log-section" open={!node.collapsed} data-section={node.name}>
            <summary>
              <span className="log-section-name">{node.name}</span>
              <time className="log-section-time" dateTime={new Date(node.start * 1000).toISOString()} title={`started ${new Date(node.start * 1000).toLocaleString()}`}>
                {sectionDuration(node) ?? 'running'}
              </time>
            </summary>
            <Nodes nodes={node.children} />
          </details>
        ),
      )}
    </>
  );
}

/**
 * A job's log, live: while the job is pending or running it asks every second only for the
 * bytes after those it has (`Range: bytes=N-`) and appends them. It follows the end of the log
 * unless the reader scrolled up to read something. The server's X-Job-Status tells the page
 * when the job has moved on, so the rest of the page can refresh. GitLab's section markers
 * become collapsible sections with their lengths; the raw log is a download away.
 */
export function JobLog({ url, status, onStatus }: { url: string; status: CiStatus; onStatus: (status: string) => void }) {
  // The tree grows in place as the log arrives; `received` re-renders what it shows.
  const tree = useRef(new LogTree());
  const [received, setReceived] = useState(0);
  const [failed, setFailed] = useState<string | null>(null);
  const offset = useRef(0);
  const parser = useRef(new AnsiParser());
  const decoder = useRef(new TextDecoder());
  const box = useRef<HTMLPreElement>(null);
  const follow = useRef(true);
  const reported = useRef(onStatus);
  reported.current = onStatus;

  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const { bytes, headers } = await api.range(url, offset.current);
        if (!alive) return;
        setFailed(null);
        if (bytes.length > 0) {
          offset.current += bytes.length;
          // Streaming decode: a character cut between two reads is completed by the next.
          const events = parser.current.pushEvents(decoder.current.decode(bytes, { stream: true }));
          if (events.length > 0) {
            tree.current.add(events);
            setReceived((n) => n + 1);
          }
        }
        const now = headers.get('x-job-status');
        if (now && now !== status) reported.current(now);
      } catch (e) {
        if (alive) setFailed((e as Error).message);
      }
      if (alive && isLive(status)) timer = setTimeout(tick, POLL_MS);
    };
    void tick();
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [url, status]);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [received]);

  return (
    <>
      <p className="toolbar">
        <a href={url} download={`job-${/\/jobs\/(\d+)\//.exec(url)?.[1] ?? 'log'}.log`}>
          Download the raw log
        </a>
        <a href={url} target="_blank" rel="noopener">
          Open the raw log
        </a>
      </p>
      {failed && (
        <p className="error" role="alert">
          The log could not be read: {failed}
        </p>
      )}
      <pre
        ref={box}
        className="code job-log"
        data-testid="job-log"
        aria-live="off"
        onScroll={(e) => {
          const el = e.currentTarget;
          follow.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 16;
        }}
      >
        {tree.current.root.length === 0 ? <span className="muted">{isLive(status) ? 'Waiting for the runner’s output…' : 'This job wrote no log.'}</span> : <Nodes nodes={tree.current.root} />}
      </pre>
    </>
  );
}
