import { Empty } from './states.tsx';

/** A map of names to values (params, tags) as a two-column table. */
export function KeyValues({ values, empty, testId }: { values: Record<string, string>; empty: string; testId?: string }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return <Empty>{empty}</Empty>;
  return (
    <table className="grid" data-testid={testId}>
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
