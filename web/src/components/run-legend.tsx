import { runColour } from '../run-colours.ts';

/** A swatch of a run's colour; decoration beside the run's name, so screen readers skip it. */
export function RunSwatch({ index }: { index: number }) {
  return <span className="run-swatch" aria-hidden="true" style={{ background: runColour(index) }} />;
}

/** Which colour is which run, for the plots above it. */
export function RunLegend({ names, label }: { names: string[]; label: string }) {
  return (
    <ul className="run-legend" aria-label={label}>
      {names.map((name, i) => (
        <li key={`${i}-${name}`}>
          <RunSwatch index={i} />
          {name}
        </li>
      ))}
    </ul>
  );
}
