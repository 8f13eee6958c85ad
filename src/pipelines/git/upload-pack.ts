import { pipeline } from 'node:stream/promises';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { spawnGit } from './git-command.ts';

/**
 * git's smart-HTTP protocol, read side only, served from a mirror: the ref advertisement
 * (`GET …/info/refs?service=git-upload-pack`) and the pack negotiation (`POST
 * …/git-upload-pack`), each one `git upload-pack --stateless-rpc` as git http-backend runs it.
 * Protocol v2 is passed through when the client asks for it (the `Git-Protocol` header).
 */
export const ADVERTISEMENT_TYPE = 'application/x-git-upload-pack-advertisement';
export const RESULT_TYPE = 'application/x-git-upload-pack-result';

/** A job fetches its pipeline's commit by id (`+<sha>:refs/pipelines/<id>`), which may no longer be a branch tip. */
const UPLOAD_PACK_CONFIG = ['-c', 'uploadpack.allowReachableSHA1InWant=true', '-c', 'uploadpack.allowAnySHA1InWant=false'];

/** Only `version=N` (and lists of key=value) pass; anything else is dropped rather than handed to git. */
export function gitProtocolEnv(header: string | string[] | undefined): Record<string, string> {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[a-z0-9=:.,_-]{1,100}$/i.test(value) ? { GIT_PROTOCOL: value } : {};
}

function pktLine(text: string): string {
  return (text.length + 4).toString(16).padStart(4, '0') + text;
}

/** The refs, for `info/refs`; v0 clients get git http-backend's `# service=` preamble first. */
export function advertiseRefs(gitDir: string, protocolHeader: string | string[] | undefined): Readable {
  const env = gitProtocolEnv(protocolHeader);
  const out = new PassThrough();
  if (!env.GIT_PROTOCOL?.includes('version=2')) out.write(`${pktLine('# service=git-upload-pack\n')}0000`);
  const child = spawnGit([...UPLOAD_PACK_CONFIG, 'upload-pack', '--stateless-rpc', '--advertise-refs', gitDir], env);
  child.stdin.end();
  child.stdout.on('error', (error) => out.destroy(error));
  child.stdout.pipe(out);
  return out;
}

/** One round of negotiation: the client's wants and haves in, the pack (or acknowledgements) out. */
export function uploadPack(gitDir: string, request: { body: Readable; gzip: boolean; protocolHeader: string | string[] | undefined }): Readable {
  const child = spawnGit([...UPLOAD_PACK_CONFIG, 'upload-pack', '--stateless-rpc', gitDir], gitProtocolEnv(request.protocolHeader));
  const input = request.gzip ? pipeline(request.body, createGunzip(), child.stdin) : pipeline(request.body, child.stdin);
  input.catch(() => child.kill());
  // A client that hangs up mid-pack leaves nobody to read git's output: end git too.
  child.stdout.once('close', () => child.kill());
  return child.stdout;
}
