/**
 * What an MLmodel file says about a model: its flavors, its signature (inputs and outputs, as
 * MLflow stores them: a JSON list inside the YAML) and where its input example is.
 */
export interface SignatureColumn {
  name: string;
  type: string;
  required: boolean;
}

export interface ModelDescription {
  flavors: string[];
  mlflowVersion: string | null;
  created: string | null;
  inputs: SignatureColumn[] | null;
  outputs: SignatureColumn[] | null;
  inputExample: { path: string; type: string | null } | null;
}

interface SpecEntry {
  name?: string;
  type?: string;
  required?: boolean;
  'tensor-spec'?: { dtype?: string; shape?: number[] };
}

function columns(spec: unknown): SignatureColumn[] | null {
  if (typeof spec !== 'string') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(spec);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed)) return null;
  return (parsed as SpecEntry[]).map((entry, i) => {
    const tensor = entry['tensor-spec'];
    const type = tensor ? `tensor ${tensor.dtype ?? '?'} [${(tensor.shape ?? []).join(', ')}]` : (entry.type ?? '?');
    return { name: entry.name ?? (parsed.length > 1 ? `#${i + 1}` : '(unnamed)'), type, required: entry.required !== false };
  });
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Reads an MLmodel file; the YAML parser is loaded only when a model is shown. */
export async function describeModel(mlmodel: string): Promise<ModelDescription> {
  const { parse } = await import('yaml');
  const doc = (parse(mlmodel) ?? {}) as Record<string, unknown>;
  const signature = (doc.signature ?? {}) as Record<string, unknown>;
  const example = (doc.saved_input_example_info ?? null) as Record<string, unknown> | null;
  return {
    flavors: Object.keys((doc.flavors ?? {}) as object),
    mlflowVersion: text(doc.mlflow_version),
    created: text(doc.utc_time_created),
    inputs: columns(signature.inputs),
    outputs: columns(signature.outputs),
    inputExample: example && text(example.artifact_path) ? { path: text(example.artifact_path)!, type: text(example.type) } : null,
  };
}
