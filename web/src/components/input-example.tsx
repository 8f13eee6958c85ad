/** A model's input example: a table when it is a data frame (MLflow's `split` orient), else its JSON. */
export function InputExample({ text }: { text: string }) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return <pre className="code">{text}</pre>;
  }
  const frame = (parsed as { dataframe_split?: unknown }).dataframe_split ?? parsed;
  const { columns, data } = (frame ?? {}) as { columns?: unknown; data?: unknown };
  if (Array.isArray(columns) && Array.isArray(data)) {
    return (
      <table className="grid" data-testid="input-example">
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i}>{String(c)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.slice(0, 50).map((row: unknown, i) => (
            <tr key={i}>{Array.isArray(row) ? row.map((cell, j) => <td key={j}>{String(cell)}</td>) : <td>{JSON.stringify(row)}</td>}</tr>
          ))}
        </tbody>
      </table>
    );
  }
  return (
    <pre className="code" data-testid="input-example">
      {JSON.stringify(parsed, null, 2)}
    </pre>
  );
}
