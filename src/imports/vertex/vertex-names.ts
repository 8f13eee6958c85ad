import { invalid } from '../../shared/errors.ts';

/**
 * The parts of a Vertex AI resource name an import takes from its caller, as Google allows
 * them: a project id (6–30 of lowercase letters, digits and "-") or number, a location
 * (us-central1, europe-west4, ...), a model id and version ids or aliases (letters, digits, "_"
 * and "-"). Checked before any of them goes into a URL.
 */
const PROJECT = /^(?:[a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]{1,20})$/;
const LOCATION = /^[a-z][a-z0-9-]{0,62}$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export function validGoogleProject(text: string): string {
  if (!PROJECT.test(text)) throw invalid(`google_project ${JSON.stringify(text)} is not a Google Cloud project id (6–30 lowercase letters, digits and "-") or number`);
  return text;
}

export function validLocation(text: string): string {
  if (!LOCATION.test(text)) throw invalid(`location ${JSON.stringify(text)} is not a Google Cloud region such as us-central1`);
  return text;
}

export function validVertexId(text: string, what: string): string {
  if (!ID.test(text)) throw invalid(`${what} ${JSON.stringify(text)} is not a Vertex AI id or alias (letters, digits, "_" and "-")`);
  return text;
}

export function validEndpoint(text: string, what: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(`${what} is not a URL`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw invalid(`${what} must be an http(s) URL without credentials, query or fragment`);
  }
  return url.href.replace(/\/+$/, '');
}
