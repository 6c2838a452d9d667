import {
  isLedgerError,
  RuleViolation,
  UnavailableError,
  ValidationError,
  WrongExpectedVersion,
  NotFoundError,
} from '../errors';

/** RFC 9457 body. `type` URIs are stable: clients may branch on them. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

export interface Problem {
  readonly body: ProblemDetails;
  readonly headers?: Record<string, string>;
}

export const PROBLEM_BASE = 'https://task-ledger.dev/problems/';
const type = (code: string) => `${PROBLEM_BASE}${code.replace(/_/g, '-')}`;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Problems for HTTP-level failures that are not domain errors (auth, parsing, routing). */
export function httpProblem(
  status: number,
  code: string,
  detail?: string,
  extra: Record<string, unknown> = {},
): Problem {
  return {
    body: {
      type: type(code),
      title: TITLES[status] ?? 'Error',
      status,
      ...(detail ? { detail } : {}),
      ...extra,
    },
  };
}

/**
 * The one place where errors become HTTP. Anything unexpected is a 500 whose body says
 * nothing about the internals (no stack, no SQL).
 */
export function toProblem(error: unknown): Problem {
  if (isLedgerError(error)) {
    if (error instanceof ValidationError) {
      return httpProblem(400, error.code, error.message, { errors: error.fields });
    }
    if (error instanceof NotFoundError) return httpProblem(404, error.code, error.message);
    if (error instanceof WrongExpectedVersion) {
      return httpProblem(409, error.code, 'the task changed since the revision you named', {
        currentRevision: Number(error.currentRevision),
      });
    }
    if (error instanceof RuleViolation) return httpProblem(422, error.code, error.message);
    if (error instanceof UnavailableError) {
      const retryAfter = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
      return {
        ...httpProblem(503, error.code, 'a store is unavailable; retry later'),
        headers: { 'Retry-After': retryAfter },
      };
    }
    return httpProblem(422, error.code, error.message);
  }
  return httpProblem(500, 'internal', 'an unexpected error occurred');
}
