import type { AuditEventNative } from '../../../src/events/contract.ts';
import { Link } from '../router.tsx';

/**
 * An audit log as people read it: who did what to which thing (by name, linked to its page),
 * and the facts of the change as labelled values rather than the stored JSON.
 */
export function AuditLog({ events }: { events: AuditEventNative[] }) {
  return (
    <table className="grid" data-testid="audit-log">
      <thead>
        <tr>
          <th>When</th>
          <th>Who</th>
          <th>What</th>
          <th>Target</th>
          <th>Details</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr key={e.id}>
            <td>
              <time dateTime={e.created_at}>{new Date(e.created_at).toLocaleString()}</time>
            </td>
            <td>{e.author_name}</td>
            <td>
              <code>{e.action}</code>
            </td>
            <td>
              <AuditTarget event={e} />
            </td>
            <td>
              <AuditDetails details={e.details} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AuditTarget({ event }: { event: AuditEventNative }) {
  const kind = event.target_type.replaceAll('_', ' ');
  if (event.target_name === null) return <>{event.target_id === null ? kind : `${kind} ${event.target_id}`}</>;
  return (
    <>
      {kind} {event.target_web_path ? <Link to={event.target_web_path}>{event.target_name}</Link> : <strong>{event.target_name}</strong>}
    </>
  );
}

function AuditDetails({ details }: { details: Record<string, unknown> }) {
  const entries = Object.entries(details).filter(([, value]) => value !== null && value !== undefined && value !== '');
  if (entries.length === 0) return null;
  return (
    <dl className="audit-details">
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt>{key.replaceAll('_', ' ')}</dt>
          <dd>{describeValue(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Lists read as comma-separated words; nested objects keep a compact JSON form. */
function describeValue(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map(describeValue).join(', ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
