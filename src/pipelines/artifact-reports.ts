import { gunzipSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';
import { PipelineErrors } from './errors.ts';

/** GitLab's limits for a dotenv report: 5 KiB and 20 variables (more is refused, not cut). */
export const DOTENV_MAX_BYTES = 5 * 1024;
export const DOTENV_MAX_VARIABLES = 20;
/** A JUnit report is read whole into memory; larger ones are stored but not read. */
export const JUNIT_MAX_BYTES = 30 * 1024 * 1024;
const MAX_LISTED_FAILURES = 200;
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface DotenvReport {
  variables: Record<string, string>;
}

export interface JunitCase {
  suite: string;
  name: string;
  classname: string;
  status: 'success' | 'failed' | 'error' | 'skipped';
  time: number;
  message?: string;
}

export interface JunitReport {
  total: number;
  success: number;
  failed: number;
  error: number;
  skipped: number;
  time: number;
  /** The failed and errored cases (the first 200), for the job page. */
  failures: JunitCase[];
  /** Set when the report was too big to read. */
  unread?: string;
}

/** A gzip report as GitLab Runner sends it: one gzip member per matched file, concatenated (zlib reads them all). */
function gunzipLimited(data: Buffer, maxBytes: number): Buffer | undefined {
  try {
    return gunzipSync(data, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return undefined;
    throw PipelineErrors.ARTIFACT_NOT_GZIP();
  }
}

/** `KEY=value` lines, as GitLab reads them: blank lines and `#` comments skipped, one pair of surrounding quotes removed. */
export function parseDotenv(gzipped: Buffer): DotenvReport {
  const text = gunzipLimited(gzipped, DOTENV_MAX_BYTES + 1);
  if (!text || text.length > DOTENV_MAX_BYTES) throw PipelineErrors.DOTENV_TOO_LARGE({ detail: `is larger than ${DOTENV_MAX_BYTES} bytes` });
  const variables: Record<string, string> = {};
  for (const [index, raw] of text.toString('utf8').split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq).trim() : '';
    if (!KEY.test(key)) throw PipelineErrors.DOTENV_INVALID({ line: index + 1 });
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0]!)) value = value.slice(1, -1);
    variables[key] = value;
  }
  if (Object.keys(variables).length > DOTENV_MAX_VARIABLES) throw PipelineErrors.DOTENV_TOO_LARGE({ detail: `sets more than ${DOTENV_MAX_VARIABLES} variables` });
  return { variables };
}

type XmlNode = Record<string, unknown>;
const asList = (value: unknown): XmlNode[] => (value === undefined ? [] : Array.isArray(value) ? (value as XmlNode[]) : [value as XmlNode]);
const text = (value: unknown): string | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object') {
    const node = value as XmlNode;
    return String(node['@_message'] ?? node['#text'] ?? '').slice(0, 2000) || undefined;
  }
  return String(value).slice(0, 2000);
};

/** JUnit XML (one or several files): counts by outcome and the failing cases. */
export function parseJunit(gzipped: Buffer): JunitReport {
  const empty: JunitReport = { total: 0, success: 0, failed: 0, error: 0, skipped: 0, time: 0, failures: [] };
  const data = gunzipLimited(gzipped, JUNIT_MAX_BYTES);
  if (!data) return { ...empty, unread: `larger than ${JUNIT_MAX_BYTES} bytes uncompressed` };
  // Several files arrive concatenated: drop their XML declarations and read them under one root.
  const xml = `<reports>${data.toString('utf8').replace(/<\?xml[^>]*\?>/g, '')}</reports>`;
  let root: XmlNode;
  try {
    root = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', processEntities: true, htmlEntities: false }).parse(xml, true) as XmlNode;
  } catch (error) {
    throw PipelineErrors.JUNIT_INVALID({ detail: (error as Error).message.split('\n')[0]! });
  }
  const report = { ...empty };
  const suites: XmlNode[] = [];
  const collect = (node: XmlNode) => {
    for (const suite of asList(node.testsuite)) {
      suites.push(suite);
      collect(suite);
    }
    for (const group of asList(node.testsuites)) collect(group);
  };
  collect(root.reports as XmlNode);
  for (const suite of suites) {
    for (const testcase of asList(suite.testcase)) {
      const status: JunitCase['status'] = testcase.failure !== undefined ? 'failed' : testcase.error !== undefined ? 'error' : testcase.skipped !== undefined ? 'skipped' : 'success';
      const time = Number(testcase['@_time'] ?? 0) || 0;
      report.total++;
      report[status]++;
      report.time += time;
      if ((status === 'failed' || status === 'error') && report.failures.length < MAX_LISTED_FAILURES) {
        const message = text(asList(testcase.failure)[0] ?? asList(testcase.error)[0]);
        report.failures.push({
          suite: String(suite['@_name'] ?? ''),
          name: String(testcase['@_name'] ?? ''),
          classname: String(testcase['@_classname'] ?? ''),
          status,
          time,
          ...(message ? { message } : {}),
        });
      }
    }
  }
  report.time = Math.round(report.time * 1000) / 1000;
  return report;
}
