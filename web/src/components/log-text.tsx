import { pageOfMlflowLink } from '../mlflow-links.ts';
import { Link } from '../router.tsx';

const URL_IN_TEXT = /https?:\/\/[^\s"'<>]+/g;

/**
 * Text of a job's log, where each link the MLflow client printed (`View run … at: <tracking
 * URI>/#/experiments/2/runs/<id>`) becomes a link to that run's page here. Other text, other
 * URLs included, stays plain text: a log is never a source of links to elsewhere.
 */
export function LogText({ text }: { text: string }) {
  const parts: (string | { url: string; page: string })[] = [];
  let at = 0;
  for (const m of text.matchAll(URL_IN_TEXT)) {
    const page = pageOfMlflowLink(m[0]);
    if (!page) continue;
    parts.push(text.slice(at, m.index), { url: m[0], page });
    at = m.index + m[0].length;
  }
  if (parts.length === 0) return <>{text}</>;
  parts.push(text.slice(at));
  return (
    <>
      {parts.map((p, i) =>
        typeof p === 'string' ? (
          p
        ) : (
          <Link key={i} to={p.page}>
            {p.url}
          </Link>
        ),
      )}
    </>
  );
}
