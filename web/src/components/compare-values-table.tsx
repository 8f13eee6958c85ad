import type { ValueRow, ValueSection } from '../compare-model.ts';
import { Link } from '../router.tsx';
import { NumberText } from './number-text.tsx';
import { RunSwatch } from './run-legend.tsx';

const SECTIONS: [ValueSection, string][] = [
  ['param', 'Parameters'],
  ['metric', 'Metrics (latest value)'],
  ['tag', 'Tags'],
];

/**
 * The selected runs side by side: a column per run, a row per param, metric and tag; rows where
 * the runs disagree are marked, and "only differences" hides the others. Params and tags are
 * shown as logged (a param "1.10" is a version, not 1.1); metrics as numbers people read.
 */
export function CompareValuesTable({ projectId, runs, rows, onlyDifferences }: { projectId: number; runs: { id: string; name: string }[]; rows: ValueRow[]; onlyDifferences: boolean }) {
  const shown = onlyDifferences ? rows.filter((r) => r.differs) : rows;
  return (
    <div className="table-scroll">
      <table className="grid diff compare-values" data-testid="compare-values">
        <thead>
          <tr>
            <th scope="col">key</th>
            {runs.map((r, i) => (
              <th scope="col" key={r.id}>
                <RunSwatch index={i} />
                <Link to={`/projects/${projectId}/runs/${r.id}`}>{r.name}</Link>
              </th>
            ))}
          </tr>
        </thead>
        {SECTIONS.map(([section, title]) => {
          const sectionRows = shown.filter((r) => r.section === section);
          if (sectionRows.length === 0) return null;
          return (
            <tbody key={section} data-section={section}>
              <tr className="section">
                <th scope="rowgroup" colSpan={runs.length + 1}>
                  {title}
                </th>
              </tr>
              {sectionRows.map((r) => (
                <tr key={r.key} className={r.differs ? 'differs' : ''}>
                  <th scope="row">{r.key}</th>
                  {r.values.map((v, i) => (
                    <td key={runs[i]!.id} className={section === 'metric' ? 'number' : undefined}>
                      {v === null ? '—' : section === 'metric' ? <NumberText value={v} /> : v}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          );
        })}
      </table>
      {shown.length === 0 && <p className="muted">{rows.length === 0 ? 'These runs have no params, metrics or tags.' : 'The runs agree on every param, metric and tag.'}</p>}
    </div>
  );
}
