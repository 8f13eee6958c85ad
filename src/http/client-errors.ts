import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

/** The MLflow protocol's paths: their errors carry MLflow's `error_code` beside the message. */
const MLFLOW_PATH = /^[A-Z]+ \S*(\/ajax-api\/|\/api\/[23]\.0\/|\/ml\/mlflow\/|\/graphql)/;

/**
 * Answers a request Node's HTTP parser refused before any route saw it — a request line and
 * headers over the 16 KiB limit (431), a request that is not HTTP (400), one whose head took too
 * long (408) — with the error body of the API it was meant for, as every other refusal is
 * answered, instead of Fastify's `{error, message, statusCode}`.
 */
export function answerClientError(error: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const detail = status === 431 ? 'the request line and headers are larger than 16 KiB' : status === 408 ? 'the request head did not arrive in time' : 'the request is not valid HTTP';
  const message = `${status} ${STATUS_CODES[status]}: ${detail}`;
  // What the parser had read (a Buffer at run time, whatever the type says).
  const raw = Buffer.isBuffer(error.rawPacket) ? error.rawPacket : undefined;
  const requestLine = raw?.subarray(0, 2048).toString('latin1').split('\r\n')[0] ?? '';
  const body = JSON.stringify(MLFLOW_PATH.test(requestLine) ? { error_code: status === 431 ? 'INVALID_PARAMETER_VALUE' : 'BAD_REQUEST', message } : { message });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}
