import type { IncomingMessage, ServerResponse } from 'node:http';
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

/**
 * The headers a helmet middleware sets, computed once: with static directives (no nonces) they
 * are the same for every request, and running helmet per request cost more than the route.
 */
function headersOf(middleware: typeof api): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name];
    },
  } as unknown as ServerResponse;
  let error: unknown;
  middleware({ headers: {} } as IncomingMessage, res, (e?: unknown) => {
    error = e;
  });
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return Object.freeze(headers);
}

export const API_SECURITY_HEADERS = headersOf(api);
export const DOCS_SECURITY_HEADERS = headersOf(docs);

const DOCS = /^\/docs(?:[/-]|$)/;

/** The security headers for a response to `path`. */
export const securityHeadersFor = (path: string): Readonly<Record<string, string>> =>
  path.startsWith('/docs') && DOCS.test(path) ? DOCS_SECURITY_HEADERS : API_SECURITY_HEADERS;
