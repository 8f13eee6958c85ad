import { Type } from 'typebox';
import { RunStatus } from './contract.ts';

/**
 * Tracking's events: name → payload. Webhook receivers and pipeline triggers read these
 * payloads, so a field once sent keeps its name and type. A change made by a CI job also
 * carries `ci_job_id`, which the outbox adds to every event.
 */
const ExperimentRef = { experiment_id: Type.Integer() };
const RunRef = { run_id: Type.String({ description: "The run's 32-hex id" }) };
const LoggedModelRef = { model_id: Type.String({ description: 'The logged model, m-<32 hex>' }) };

export const TrackingEvents = {
  'tracking.experiment.created': Type.Object({ ...ExperimentRef, name: Type.String() }),
  'tracking.experiment.renamed': Type.Object({ ...ExperimentRef, from: Type.String(), to: Type.String() }),
  /** Its runs are deleted with it (and restored with it). */
  'tracking.experiment.deleted': Type.Object(ExperimentRef),
  'tracking.experiment.restored': Type.Object(ExperimentRef),
  'tracking.run.created': Type.Object({
    ...RunRef,
    ...ExperimentRef,
    job_id: Type.Union([Type.Integer(), Type.Null()], { description: 'The CI job whose token created the run' }),
  }),
  'tracking.run.status_changed': Type.Object({ ...RunRef, from: RunStatus, to: RunStatus }),
  'tracking.run.deleted': Type.Object(RunRef),
  'tracking.run.restored': Type.Object(RunRef),
  'tracking.logged_model.created': Type.Object({ ...LoggedModelRef, ...ExperimentRef, source_run_id: Type.Union([Type.String(), Type.Null()]) }),
  'tracking.logged_model.finalized': Type.Object({ ...LoggedModelRef, status: Type.Union([Type.Literal('LOGGED_MODEL_READY'), Type.Literal('LOGGED_MODEL_UPLOAD_FAILED')]) }),
  'tracking.logged_model.deleted': Type.Object(LoggedModelRef),
} as const;
