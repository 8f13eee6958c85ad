import type { CardNative } from '../../../src/registry/contract.ts';

type CardField = keyof CardNative['fields_html'];

const FIELD_NAMES: Record<CardField, string> = {
  intended_use: 'Intended use',
  limitations: 'Limitations',
  training_data: 'Training data',
  evaluation_metrics: 'Evaluation metrics',
  license: 'License',
};

/** The model card as the server rendered and sanitized it; nothing is rendered in the browser from raw Markdown. */
export function CardView({ card }: { card: CardNative }) {
  const fields = (Object.keys(FIELD_NAMES) as CardField[]).filter((k) => card.fields_html[k]);
  return (
    <div className="card" data-testid="model-card">
      {card.description_html ? <div className="markdown" dangerouslySetInnerHTML={{ __html: card.description_html }} /> : <p className="muted">No description yet.</p>}
      {fields.map((k) => (
        <section key={k}>
          <h3>{FIELD_NAMES[k]}</h3>
          <div className="markdown" dangerouslySetInnerHTML={{ __html: card.fields_html[k] ?? '' }} />
        </section>
      ))}
    </div>
  );
}
