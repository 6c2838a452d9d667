import type { Duplex } from 'node:stream';
import { httpProblem } from './problem-details';

/**
 * Requests Node's HTTP parser refuses (raw non-ASCII in the request line, a head over the
 * header size limit) never reach the app; Node would answer a bare 400/431. Answer them as
 * problem+json like every other error, then close: the connection's framing is unknown.
 * Fastify's `clientErrorHandler` (it owns the server's 'clientError' listener).
 */
export function answerParserErrorAsProblem(
  // Node passes the failing bytes as a Buffer (Fastify's types say otherwise).
  err: Error & { code?: string; rawPacket?: unknown },
  socket: Duplex,
): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const [status, code, reason] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'request_header_fields_too_large', 'Request Header Fields Too Large']
      : [400, 'malformed_request', 'Bad Request'];
  // A response to HEAD has no body, or the client reads it as the start of the next response.
  // The failing bytes need not start the client's request (leftovers of an earlier one on a
  // kept-alive socket): only a request line we can read, and not HEAD, gets a body.
  const method = /^([A-Z]{3,7}) /.exec(
    Buffer.isBuffer(err.rawPacket) ? err.rawPacket.subarray(0, 8).toString('latin1') : '',
  )?.[1];
  const withBody = method !== undefined && method !== 'HEAD';
  const body = withBody
    ? JSON.stringify(httpProblem(status, code, 'the request could not be parsed').body)
    : '';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/problem+json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
