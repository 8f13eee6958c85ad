import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every metric family the server declares (`# TYPE name kind` in its exposition code). */
function declaredFamilies(dir: string): Set<string> {
  const names = new Set<string>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) for (const name of declaredFamilies(full)) names.add(name);
    else if (entry.name.endsWith('.ts')) for (const match of fs.readFileSync(full, 'utf8').matchAll(/# TYPE (modelyard_[a-z_]+) (counter|gauge|histogram)/g)) names.add(match[1]!);
  }
  return names;
}

describe('the Grafana dashboard (deploy/grafana/modelyard-dashboard.json)', () => {
  it('queries only metrics the server exposes, so no panel stays empty after a rename', () => {
    const dashboard = JSON.parse(fs.readFileSync('deploy/grafana/modelyard-dashboard.json', 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    const declared = declaredFamilies('src');
    const queried = dashboard.panels.flatMap((panel) =>
      panel.targets.flatMap((target) => [...target.expr.matchAll(/\b(modelyard_[a-z_]+)/g)].map((match) => ({ panel: panel.title, family: match[1]!.replace(/_(bucket|sum|count)$/, '') }))),
    );
    expect(queried.length).toBeGreaterThan(10);
    expect(queried.filter(({ family }) => !declared.has(family))).toEqual([]);
  });
});
