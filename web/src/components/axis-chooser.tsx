import type { Dimension } from '../compare-model.ts';

/**
 * Which dimensions the parallel coordinates draw: a checkbox per dimension, folded away so that
 * twenty params do not push the plot off the screen; the summary says how many are chosen.
 */
export function AxisChooser({ dimensions, chosen, onChange }: { dimensions: Dimension[]; chosen: string[]; onChange: (axes: string[]) => void }) {
  const selected = new Set(chosen);
  const toggle = (id: string, on: boolean) => onChange(dimensions.filter((d) => (d.id === id ? on : selected.has(d.id))).map((d) => d.id));
  return (
    <details className="axis-chooser">
      <summary>
        Axes ({chosen.length} of {dimensions.length})
      </summary>
      <fieldset>
        <legend>Parallel coordinates axes</legend>
        {dimensions.map((d) => (
          <label key={d.id}>
            <input type="checkbox" checked={selected.has(d.id)} onChange={(e) => toggle(d.id, e.target.checked)} /> {d.label}
          </label>
        ))}
      </fieldset>
    </details>
  );
}
