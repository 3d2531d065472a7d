import { request as httpRequest } from 'node:http';

/**
 * A request written byte for byte with node:http: fetch would join repeated headers, encode every string as
 * UTF-8 and refuse some header values, and those are what the mutations need to send.
 */
export interface RawRequest {
  method: 'GET' | 'POST';
  /** The path with its query string, already percent-encoded as it is to be sent. */
  path: string;
  /** In order; a name may repeat. Host and Content-Length are added when sent. */
  headers: [string, string][];
  body?: BodySegment[];
}

/** A body is a list of segments, so that a 100 KiB or 30,000-deep one is described in a line. */
export type BodySegment = { text: string; times?: number } | { hex: string; times?: number };

export interface RawAnswer {
  status: number;
  contentType: string;
  text: string;
}

const ANSWER_TIMEOUT_MS = 15_000;

export function bodyBytes(segments: readonly BodySegment[]): Buffer {
  return Buffer.concat(
    segments.flatMap((segment) => {
      const bytes = 'text' in segment ? Buffer.from(segment.text, 'utf8') : Buffer.from(segment.hex, 'hex');
      return Array.from({ length: segment.times ?? 1 }, () => bytes);
    }),
  );
}

/** What a failure message shows: enough to send the same bytes again with any client. */
export function describeRequest(request: RawRequest): string {
  const lines = [`${request.method} ${request.path}`, ...request.headers.map(([name, value]) => `${name}: ${JSON.stringify(value)}`)];
  if (request.body) {
    const recipe = request.body.map((segment) => {
      const part = 'text' in segment ? `utf8 ${JSON.stringify(segment.text)}` : `bytes 0x${segment.hex}`;
      return segment.times && segment.times > 1 ? `(${part}) × ${segment.times}` : part;
    });
    lines.push(`body (${bodyBytes(request.body).length} bytes) = ${recipe.join(' + ')}`);
  }
  return lines.join('\n  ');
}

/** Sends the request on a connection of its own, so that a connection the server closes harms no other. */
export function sendRaw(baseUrl: string, request: RawRequest): Promise<RawAnswer> {
  const url = new URL(request.path, baseUrl);
  const body = request.body ? bodyBytes(request.body) : undefined;
  const headers = [['host', url.host], ...request.headers, ...(body ? [['content-length', String(body.length)]] : [])].flat();
  return new Promise((resolve, reject) => {
    const sent = httpRequest(url, { method: request.method, headers, agent: false, timeout: ANSWER_TIMEOUT_MS }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'] ?? '', text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    sent.on('timeout', () => sent.destroy(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`)));
    sent.on('error', reject);
    sent.end(body);
  });
}
