import { Agent, request } from 'node:http';

/** A request exactly as it goes on the wire: headers and path are sent as given, byte for byte. */
export interface RawRequest {
  readonly method: string;
  /** Already encoded; may hold raw bytes as latin1 characters (that is how node sends them). */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
  readonly ms: number;
}

/**
 * node:http rather than fetch/supertest: they normalise or refuse exactly the inputs a hostile
 * client sends (raw UTF-8 bytes in headers and paths, odd methods, bodies on GET), and a
 * keep-alive agent with a socket cap bounds the load the test puts on a shared 2-core machine.
 */
export function keepAliveAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

export function send(
  baseUrl: string,
  agent: Agent,
  req: RawRequest,
  timeoutMs = 15_000,
): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...req.headers };
    // Without a length node would send chunked; an explicit one is the common case and lets
    // the server's size limit reject early.
    if (req.body && !hasHeader(headers, 'content-length') && !hasHeader(headers, 'transfer-encoding')) {
      headers['Content-Length'] = String(req.body.length);
    }
    const r = request({ hostname, port, agent, method: req.method, path: req.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          ms: performance.now() - started,
        }),
      );
    });
    r.setTimeout(timeoutMs, () => r.destroy(new Error(`no response within ${timeoutMs} ms`)));
    r.on('error', reject);
    r.end(req.body);
  });
}

const hasHeader = (headers: Record<string, string>, name: string) =>
  Object.keys(headers).some((h) => h.toLowerCase() === name);

/** A one-line, copy-pasteable description of a request, for failure messages and bug reports. */
export function describeRequest(req: RawRequest): string {
  const body = req.body
    ? req.body.length > 300
      ? `<${req.body.length} bytes: ${JSON.stringify(req.body.subarray(0, 120).toString('latin1'))}…>`
      : JSON.stringify(req.body.toString('latin1'))
    : '<none>';
  const path = req.path.length > 300 ? `${req.path.slice(0, 200)}…(${req.path.length} chars)` : req.path;
  const headers = Object.entries(req.headers)
    .map(([k, v]) => `${k}: ${v.length > 120 ? `${v.slice(0, 80)}…(${v.length})` : v}`)
    .join(' | ');
  return `${req.method} ${JSON.stringify(path)} [${headers}] body=${body}`;
}
