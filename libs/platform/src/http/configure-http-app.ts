import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, HTTPMethods } from 'fastify';
import type { Logger } from 'pino';
import { runWithLogContext } from '../logging/log-context';
import { LedgerMetrics } from '../metrics/ledger-metrics';
import { readJsonBody, refusedBody, unsupportedMediaType, wantsJsonBody } from './json-body';
import { ProblemDetailsFilter, sendProblem } from './problem-details.filter';
import { httpProblem, type Problem } from './problem-details';
import { pathOf, type LedgerRequest } from './request-context';
import { RequestObserver } from './request-observer';
import { assignRequestIds } from './request-ids';
import { securityHeadersFor } from './security-headers';
import { strictValidationPipe } from './validation.pipe';

export { BODY_LIMIT } from './json-body';

function metricsOf(app: INestApplication): LedgerMetrics | undefined {
  try {
    return app.get(LedgerMetrics, { strict: false });
  } catch {
    return undefined; // an app root without MetricsModule: nothing to record into
  }
}

/**
 * Everything every HTTP app shares: security headers, parsing limits, ids, request metrics and
 * access log, errors, validation, OpenAPI. Returns the observer a graceful shutdown drains.
 *
 * Fastify hooks, in the order Express ran its middleware: `onRequest` sees every request (also
 * those refused later) before its body is read; `preValidation` runs once the body is parsed.
 */
export interface ConfiguredHttpApp {
  readonly requests: RequestObserver;
  /**
   * Fastify's `frameworkErrors`: a request target the router cannot decode (`/v1/tasks/%ZZ`) is
   * refused before any hook runs. Express answered it 400; so do we, as problem+json, counted
   * and with the same headers as every other response.
   */
  readonly answerFrameworkError: (error: Error, request: FastifyRequest, reply: FastifyReply) => void;
}

export function configureHttpApp(app: INestApplication, title: string, logger?: Logger): ConfiguredHttpApp {
  const fastify = (app as NestFastifyApplication).getHttpAdapter().getInstance();
  const observer = new RequestObserver(logger, metricsOf(app));
  // Declared up front, so that every request object has the same shape.
  for (const name of ['principal', 'correlationId', 'requestId', 'storeOutage']) {
    fastify.decorateRequest(name, undefined);
  }

  const begin = (req: LedgerRequest, reply: FastifyReply) => {
    observer.track(req, reply);
    reply.headers(securityHeadersFor(pathOf(req)));
    assignRequestIds(req, reply);
  };

  fastify.addHook(
    'onRequest',
    (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const req = request as LedgerRequest;
      begin(req, reply);
      const refused = unsupportedMediaType(req.method, req.headers);
      if (refused) {
        sendProblem(reply, refused);
        return;
      }
      // Fastify reads no body for GET and HEAD; Express parsed a JSON one (and refused a bad one).
      if ((req.method === 'GET' || req.method === 'HEAD') && wantsJsonBody(req.headers)) {
        readJsonBody(req.raw).then((body) => {
          req.body = body;
          done();
        }, done);
        return;
      }
      done();
    },
  );

  // Every body is read by one parser; unsupportedMediaType has refused all but JSON already. A
  // read that fails is raised in preValidation: raised here, Fastify would also close the
  // connection, which Express kept (body-parser has read off the rest of the body by then).
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    '*',
    (request: FastifyRequest, _payload: unknown, done: (err: Error | null, body?: unknown) => void) => {
      readJsonBody(request.raw).then(
        (body) => done(null, body),
        (error: Error) => done(null, new UnreadBody(error)),
      );
    },
  );

  fastify.addHook(
    'preValidation',
    (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const req = request as LedgerRequest;
      if (req.body instanceof UnreadBody) return done(req.body.error);
      const refused = refusedBody(req.body);
      if (refused) {
        sendProblem(reply, refused);
        return;
      }
      // Entered after the body is read: a context entered before would not survive its stream events.
      if (!req.correlationId || !req.requestId) return done();
      runWithLogContext({ correlationId: req.correlationId, requestId: req.requestId }, done);
    },
  );

  // swagger-ui's page and script are sent with a bare `text/html` / `application/javascript` on
  // Fastify; Express added the charset. Only the /docs routes get this hook: the API pays nothing.
  fastify.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/docs')) return;
    const withCharset = (
      _req: FastifyRequest,
      reply: FastifyReply,
      payload: unknown,
      done: (err: null, payload: unknown) => void,
    ) => {
      const type = reply.getHeader('content-type');
      if (typeof type === 'string' && /^(?:text\/html|application\/javascript)$/.test(type)) {
        reply.header('content-type', `${type}; charset=utf-8`);
      }
      done(null, payload);
    };
    route.onSend = [
      ...(Array.isArray(route.onSend) ? route.onSend : route.onSend ? [route.onSend] : []),
      withCharset,
    ];
  });

  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(strictValidationPipe());

  const doc = new DocumentBuilder().setTitle(title).setVersion('1').addBearerAuth().build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc));
  return {
    requests: observer,
    answerFrameworkError: (error, request, reply) => {
      const req = request as LedgerRequest;
      begin(req, reply);
      const path = pathOf(req);
      const problem =
        (error as { code?: unknown }).code === 'FST_ERR_BAD_URL'
          ? undecodableTarget(
              req.method,
              path,
              req.url,
              (url) => !!fastify.findRoute({ method: req.method as HTTPMethods, url }),
            )
          : httpProblem(500, 'internal', 'an unexpected error occurred');
      if (problem.body.status === 500) logger?.error({ err: error }, 'unhandled framework error');
      sendProblem(reply, problem, path);
    },
  };
}

/** The body of a request whose body could not be read: the parser's error, raised later. */
class UnreadBody {
  constructor(readonly error: Error) {}
}

/**
 * A path segment that does not decode (`%ZZ`, `%FF`): Express answered 400 "Failed to decode
 * param" when the segment sat where a route has a parameter, and 404 when no route matched anyway.
 */
function undecodableTarget(
  method: string,
  path: string,
  url: string,
  routed: (url: string) => boolean,
): Problem {
  const segments = path.split('/');
  const bad = segments.find((segment) => !decodes(segment));
  const standIn = segments.map((segment) => (decodes(segment) ? segment : 'x')).join('/');
  if (bad !== undefined && routed(standIn)) {
    return httpProblem(400, 'bad_request', `Failed to decode param '${bad}'`);
  }
  return httpProblem(404, 'route_not_found', `Cannot ${method} ${url}`);
}

function decodes(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}
