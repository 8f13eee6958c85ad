import type { ProjectAccess } from '../auth/policy.ts';
import type { LineageService } from './lineage-service.ts';
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

  async fill(access: ProjectAccess, name: string, version: number): Promise<ModelVersion> {
    const chain = await this.lineage.ofVersion(access, name, version);
    const run = chain.run;
    const card: Record<string, string> = {};
    if (run && run.metrics.length > 0) {
      card.evaluation_metrics = ['| Metric | Value | Step |', '| --- | --- | --- |', ...run.metrics.map((m) => `| ${cell(m.key)} | ${m.value} | ${m.step} |`)].join('\n');
    }
    const datasets = chain.datasets.map((d) => `- **${cell(d.name)}** (digest \`${d.digest}\`, ${d.source_type})${d.tags['mlflow.data.context'] ? `, used for ${d.tags['mlflow.data.context']}` : ''}`);
    const params = run ? Object.entries(run.params).map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`) : [];
    const training: string[] = [];
    if (datasets.length > 0) training.push(...datasets);
    if (params.length > 0) training.push('', '| Parameter | Value |', '| --- | --- |', ...params);
    if (chain.git_commit) training.push('', `Trained from commit \`${chain.git_commit}\`${chain.ci_job_id ? ` in CI job ${chain.ci_job_id}` : ''}.`);
    if (training.length > 0) card.training_data = training.join('\n');
    return this.versions.update(access, name, version, { card });
  }
}
