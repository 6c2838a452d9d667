import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { isLedgerError } from '../errors';
import { storeOutage } from '../metrics/outcomes';
import { httpProblem, toProblem, type Problem } from './problem-details';
import { pathOf, type LedgerRequest } from './request-context';

/** body-parser marks its errors with `type`; they are the client's fault, never a 500. */
const BODY_PARSER_PROBLEMS: Record<string, [number, string]> = {
  'entity.parse.failed': [400, 'malformed_json'],
  'entity.too.large': [413, 'payload_too_large'],
  'encoding.unsupported': [415, 'unsupported_encoding'],
  'charset.unsupported': [415, 'unsupported_charset'],
  'request.aborted': [400, 'request_aborted'],
  'request.size.invalid': [400, 'request_size_invalid'],
  'stream.encoding.set': [500, 'internal'],
};

/**
 * Nest turns Fastify's own errors (a Content-Type it cannot read, a malformed URL) into plain
 * HttpExceptions with their status: named by it, not by the class.
 */
const FRAMEWORK_ERRORS: Record<number, string> = {
  400: 'bad_request',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
};

function fromHttpException(error: HttpException): Problem {
  const status = error.getStatus();
  const response = error.getResponse();
  const message =
    typeof response === 'object' && response !== null && 'message' in response
      ? (response as { message: unknown }).message
      : error.message;
  const detail = Array.isArray(message) ? message.join('; ') : String(message);
  const code =
    status === 404
      ? 'route_not_found'
      : error.constructor === HttpException
        ? (FRAMEWORK_ERRORS[status] ?? 'http_error')
        : error.constructor.name.replace(/Exception$/, '') || 'http_error';
  const problem = httpProblem(status, code.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase(), detail);
  const retryAfter = (response as { retryAfter?: unknown })?.retryAfter;
  return typeof retryAfter === 'number'
    ? { ...problem, headers: { 'Retry-After': String(retryAfter) } }
    : problem;
}

/** A problem decided earlier (e.g. an idempotent replay of a stored error), sent again as it was. */
export class ReplayedProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.body.title);
  }
}

export function problemFor(error: unknown): Problem {
  if (error instanceof ReplayedProblem) return error.problem;
  if (isLedgerError(error)) return toProblem(error);
  if (error instanceof HttpException) return fromHttpException(error);
  const bodyType = (error as { type?: unknown })?.type;
  if (typeof bodyType === 'string' && BODY_PARSER_PROBLEMS[bodyType]) {
    const [status, code] = BODY_PARSER_PROBLEMS[bodyType];
    return httpProblem(
      status,
      code,
      status === 413 ? 'the request body is too large' : 'the request body could not be read',
    );
  }
  // Other http-errors raised before routing (e.g. a body that does not decode as its
  // Content-Encoding) carry a client status but no `type` we know: still the client's fault.
  const status = (error as { status?: unknown; expose?: unknown })?.status;
  if (
    typeof status === 'number' &&
    status >= 400 &&
    status < 500 &&
    (error as { expose?: unknown }).expose === true
  ) {
    return httpProblem(status, 'unreadable_request', 'the request could not be read');
  }
  return toProblem(error);
}

/** Maps every error, once, to `application/problem+json` (RFC 9457). */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const req = ctx.getRequest<LedgerRequest>();
    const problem = problemFor(error);
    // The details stay in the log (with the request's ids), never in the response.
    if (problem.body.status >= 500 && problem.body.status !== 503) {
      this.logger.error(
        { err: error, path: pathOf(req), correlationId: req.correlationId },
        'unhandled error',
      );
    }
    if (storeOutage(error)) {
      req.storeOutage = true;
      this.logger.warn(
        { path: pathOf(req), correlationId: req.correlationId, error: String(error) },
        'store unavailable',
      );
    }
    if (reply.sent) return;
    const query = req.url.indexOf('?');
    sendProblem(reply, problem, query < 0 ? req.url : req.url.slice(0, query));
  }
}

/** Answers with `problem` as `application/problem+json`, with its headers (Retry-After). */
export function sendProblem(reply: FastifyReply, problem: Problem, instance?: string): void {
  if (problem.headers) for (const [name, value] of Object.entries(problem.headers)) reply.header(name, value);
  const body = instance === undefined ? problem.body : { ...problem.body, instance };
  void reply
    .code(problem.body.status)
    .type('application/problem+json; charset=utf-8')
    .send(JSON.stringify(body));
}
