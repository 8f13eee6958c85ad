import { IMAGE_PORT } from '../../registry/image-context.ts';
import type { ModelToUpload } from '../../integrations/google/vertex-endpoints.ts';

/**
 * Google's prebuilt prediction containers (Vertex AI, "Prebuilt containers for inference") for
 * the MLflow flavors whose saved files they load as they are: each loads a model file from the
 * root of `artifactUri`. An MLflow sklearn model keeps its pickle there (`model.pkl`); MLflow's
 * xgboost (`model.xgb`) and tensorflow (`data/model/`) layouts are not what those containers
 * load, so such versions use their own image unless their files hold the expected name.
 */
const PREBUILT: { flavor: string; image: string; files: string[] }[] = [
  { flavor: 'sklearn', image: 'prediction/sklearn-cpu.1-3:latest', files: ['model.joblib', 'model.pkl'] },
  { flavor: 'xgboost', image: 'prediction/xgboost-cpu.2-1:latest', files: ['model.bst', 'model.joblib', 'model.pkl'] },
  { flavor: 'tensorflow', image: 'prediction/tf2-cpu.2-15:latest', files: ['saved_model.pb'] },
];

/** Google serves the prebuilt images from three multi-regional registries; the one near the location is used. */
function registryFor(location: string): string {
  if (location.startsWith('europe')) return 'europe-docker.pkg.dev';
  if (location.startsWith('asia') || location.startsWith('australia')) return 'asia-docker.pkg.dev';
  return 'us-docker.pkg.dev';
}

/** The prebuilt container for a version, when its flavors and files fit one; null otherwise. */
export function prebuiltContainer(location: string, flavors: readonly string[], files: readonly string[]): ModelToUpload['containerSpec'] | null {
  const fit = PREBUILT.find((p) => flavors.includes(p.flavor) && p.files.some((f) => files.includes(f)));
  return fit ? { imageUri: `${registryFor(location)}/vertex-ai/${fit.image}` } : null;
}

/** The version's own image (the MLflow scoring server Modelyard's image context builds): its routes and port. */
export function versionImageContainer(reference: string): ModelToUpload['containerSpec'] {
  return { imageUri: reference, predictRoute: '/invocations', healthRoute: '/ping', ports: [{ containerPort: IMAGE_PORT }] };
}
