import { useLayoutEffect, useRef, useState } from 'react';
import { formatDuration, type Job } from '../pipelines-model.ts';
import { Link } from '../router.tsx';
import { StatusIcon } from './status-icons.tsx';

interface Edge {
  from: string;
  to: string;
  d: string;
}

/** Stages in the order the jobs arrive (the API sorts them by stage index). */
export function stagesOf(jobs: Job[]): { name: string; jobs: Job[] }[] {
  const stages = new Map<string, Job[]>();
  for (const job of jobs) stages.set(job.stage, [...(stages.get(job.stage) ?? []), job]);
  return [...stages].map(([name, members]) => ({ name, jobs: members }));
}

/** The jobs a `needs` entry names: the job itself, or every instance of a parallel/matrix job. */
function needed(jobs: Job[], need: string): Job[] {
  return jobs.filter((j) => j.name === need || j.name.startsWith(`${need} `) || j.name.startsWith(`${need}: `));
}

/**
 * A pipeline as GitLab draws it: one column per stage, a box per job coloured by its status,
 * and a curve from each job to those that declared `needs` on it. Implicit stage ordering is
 * not drawn (the columns already say it). Edges are measured from the laid-out boxes, so they
 * follow whatever the stylesheet and the window width make of the columns.
 */
export function PipelineGraph({ projectId, jobs }: { projectId: number; jobs: Job[] }) {
  const inner = useRef<HTMLDivElement>(null);
  const [edges, setEdges] = useState<Edge[]>([]);
  const [size, setSize] = useState({ width: 0, height: 0 });
  useLayoutEffect(() => {
    const el = inner.current;
    if (!el) return;
    const measure = () => {
      const origin = el.getBoundingClientRect();
      const boxes = new Map<string, DOMRect>();
      el.querySelectorAll<HTMLElement>('[data-job]').forEach((node) => boxes.set(node.dataset.job!, node.getBoundingClientRect()));
      const out: Edge[] = [];
      for (const job of jobs) {
        if (!job.needs_declared) continue;
        const to = boxes.get(job.name);
        if (!to) continue;
        for (const need of job.needs) {
          for (const source of needed(jobs, need)) {
            const from = boxes.get(source.name);
            if (!from || source.name === job.name) continue;
            const x1 = from.right - origin.left;
            const y1 = from.top + from.height / 2 - origin.top;
            const x2 = to.left - origin.left;
            const y2 = to.top + to.height / 2 - origin.top;
            const bend = Math.max(24, Math.abs(x2 - x1) / 2);
            out.push({ from: source.name, to: job.name, d: `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}` });
          }
        }
      }
      setEdges(out);
      setSize({ width: el.scrollWidth, height: el.scrollHeight });
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [jobs]);
  if (jobs.length === 0) return null;
  return (
    <div className="pipeline-graph" data-testid="pipeline-graph">
      <div className="graph-inner" ref={inner}>
        <svg className="graph-edges" width={size.width} height={size.height} aria-hidden="true">
          {edges.map((e) => (
            <path key={`${e.from}->${e.to}`} d={e.d} data-testid="needs-edge" data-from={e.from} data-to={e.to} />
          ))}
        </svg>
        {stagesOf(jobs).map((stage) => (
          <div key={stage.name} className="stage-column" data-stage={stage.name}>
            <h3>{stage.name}</h3>
            {stage.jobs.map((job) => (
              <div key={job.id} className="job-slot" data-job={job.name}>
                <Link to={`/projects/${projectId}/jobs/${job.id}`} className={`job-box ci-${job.status}`}>
                  <span className="job-status-icon" title={job.status} aria-hidden="true">
                    <StatusIcon status={job.status} />
                  </span>
                  <span className="job-name">{job.name}</span>
                  <span className="job-meta">
                    {job.status}
                    {job.duration !== null && job.status !== 'pending' ? ` · ${formatDuration(job.duration)}` : ''}
                    {job.attempt > 1 ? ` · try ${job.attempt}` : ''}
                  </span>
                </Link>
              </div>
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}
