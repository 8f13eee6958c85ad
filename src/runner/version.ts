import { readFileSync } from 'node:fs';

/** The runner's version: the package's, read here so that the runner imports nothing of the server. */
export const RUNNER_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
