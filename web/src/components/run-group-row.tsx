import { aggregateText, describeAggregate, type RunGroup } from '../run-groups.ts';
import { columnId, type Column } from '../runs-model.ts';
import { plural } from '../format.ts';

/** A group's heading row in the runs table: the shared value and, under each metric column, the group's mean and range. */
export function GroupRow({ label, group, shown, template }: { label: string; group: RunGroup; shown: Column[]; template: string }) {
  return (
    <div className="cells group-row" role="row" aria-label={label} style={{ gridTemplateColumns: template }}>
      <span role="cell" />
      {shown.map((c, i) => {
        if (i === 0) {
          return (
            <span key="label" role="rowheader" title={label}>
              {label} <span className="muted">({plural(group.runs.length, 'run')})</span>
            </span>
          );
        }
        const aggregate = c.kind === 'metric' ? group.metrics.get(c.key) : undefined;
        if (!aggregate) return <span key={columnId(c)} role="cell" />;
        const { mean, range } = aggregateText(aggregate);
        return (
          <span key={columnId(c)} role="cell" data-testid={`aggregate-${columnId(c)}`} title={describeAggregate(aggregate)}>
            {mean} {range && <span className="muted">{range}</span>}
          </span>
        );
      })}
    </div>
  );
}
