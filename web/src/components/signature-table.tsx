import type { SignatureColumn } from '../mlmodel.ts';

/** A model's inputs or outputs, one column of the signature a row. */
export function SignatureTable({ caption, columns }: { caption: string; columns: SignatureColumn[] }) {
  return (
    <table className="grid signature" data-testid={`signature-${caption.toLowerCase()}`}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th>Name</th>
          <th>Type</th>
          <th>Required</th>
        </tr>
      </thead>
      <tbody>
        {columns.map((c) => (
          <tr key={c.name}>
            <td>{c.name}</td>
            <td>
              <code>{c.type}</code>
            </td>
            <td>{c.required ? 'yes' : 'no'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
