import fs from 'node:fs';
import path from 'node:path';
import axe from 'axe-core';
import type { Page } from 'playwright-core';

const REPORT = path.resolve('test-results/accessibility.json');

export interface PageFindings {
  page: string;
  /** Serious and critical violations: rule id, impact, and the elements it names. */
  blocking: { id: string; impact: string; help: string; targets: string[] }[];
  /** Moderate and minor ones, counted. */
  others: number;
}

/**
 * Runs axe-core (the npm package's own script, put into the page; nothing fetched) on what the
 * page shows now, adds the findings to test-results/accessibility.json and prints a line for
 * the test log. The caller asserts on `blocking`.
 */
export async function checkAccessibility(page: Page, name: string): Promise<PageFindings> {
  // Evaluated over the DevTools protocol, which the page's Content-Security-Policy does not govern.
  await page.evaluate(axe.source);
  const results = await page.evaluate(() => (globalThis as unknown as { axe: typeof axe }).axe.run({ resultTypes: ['violations'] }));
  const blocking = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact ?? '', help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  const findings = { page: name, blocking, others: results.violations.length - blocking.length };
  const report: PageFindings[] = fs.existsSync(REPORT) ? (JSON.parse(fs.readFileSync(REPORT, 'utf8')) as PageFindings[]).filter((f) => f.page !== name) : [];
  fs.mkdirSync(path.dirname(REPORT), { recursive: true });
  fs.writeFileSync(REPORT, JSON.stringify([...report, findings], null, 2));
  console.log(`axe-core ${axe.version}: ${name}: ${blocking.length} serious or critical, ${findings.others} moderate or minor`);
  return findings;
}
