import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';

/**
 * The API serves JSON only, so its CSP forbids everything (`default-src 'none'`): a response
 * rendered by a browser by mistake can run nothing and be framed nowhere. `/docs` serves
 * swagger-ui (its own scripts, inline styles, data: images) and keeps helmet's default CSP,
 * which allows exactly that from our own origin.
 */
const api = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
    },
  },
  // Cross-origin isolation is for pages that embed others' resources; the API embeds none.
  crossOriginEmbedderPolicy: false,
});
const docs = helmet();

const DOCS = /^\/docs(?:[/-]|$)/;

export function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  (DOCS.test(req.path) ? docs : api)(req, res, next);
}
