import type { ProjectAccess } from '../auth/policy.ts';
import type { LineageService } from './lineage-service.ts';
import type { ModelCard } from './model-card.ts';
import type { ModelKey } from './models-service.ts';
import type { ModelVersion } from './registry-model.ts';
import type { ModelVersionsService } from './versions-service.ts';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * Fills the factual parts of a version's model card from where it was trained: its run's
 * metrics (evaluation), its dataset inputs (training data) and its params. What people write
 * (intended use, limitations, license) is left as it is.
 */
export class CardFiller {
  constructor(
    private readonly versions: ModelVersionsService,
    private readonly lineage: LineageService,
  ) {}

  async fill(access: ProjectAccess, key: ModelKey, version: number): Promise<ModelVersion> {
    const lineage = await this.lineage.ofVersion(access, key, version);
    const run = lineage.run;
    const card: ModelCard = {};
    if (run && run.metrics.length > 0) {
      card.evaluation_metrics = ['| Metric | Value | Step |', '| --- | --- | --- |', ...run.metrics.map((m) => `| ${cell(m.key)} | ${m.value} | ${m.step} |`)].join('\n');
    }
    const datasets = (run?.inputs ?? []).map((input) => {
      const context = Object.fromEntries(input.tags.map((t) => [t.key, t.value]))['mlflow.data.context'];
      return `- **${cell(input.dataset.name)}** (digest \`${input.dataset.digest}\`, ${input.dataset.sourceType})${context ? `, used for ${context}` : ''}`;
    });
    const params = run ? Object.entries(Object.fromEntries(run.params.map((p) => [p.key, p.value]))).map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`) : [];
    const training: string[] = [];
    if (datasets.length > 0) training.push(...datasets);
    if (params.length > 0) training.push('', '| Parameter | Value |', '| --- | --- |', ...params);
    if (lineage.gitCommit) training.push('', `Trained from commit \`${lineage.gitCommit}\`${lineage.ciJobId ? ` in CI job ${lineage.ciJobId}` : ''}.`);
    if (training.length > 0) card.training_data = training.join('\n');
    return this.versions.update(access, key, version, { card });
  }
}
