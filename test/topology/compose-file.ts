import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

// js-yaml is here only as a transitive dependency (@nestjs/swagger, eslint); it should be pinned
// as a devDependency if this test is to keep relying on it. No @types: the one call used is typed here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };

export interface ComposeService {
  image?: string;
  build?: string | { context: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | { target: number; published?: string | number; host_ip?: string }>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test: string | string[]; interval?: string; retries?: number };
  restart?: string;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export function loadCompose(file = join(ROOT, 'docker-compose.yml')): ComposeFile {
  return yaml.load(readFileSync(file, 'utf8')) as ComposeFile;
}

/**
 * The environment a container gets, as `docker compose` resolves it with nothing set in the
 * shell: `${X:-default}` becomes the default. A bare `${X}` or `${X:?msg}` would make the
 * file unusable without a .env, which this topology promises not to need.
 */
export function containerEnv(service: ComposeService): Record<string, string> {
  const raw = Array.isArray(service.environment)
    ? Object.fromEntries(service.environment.map((e) => [e.split('=')[0], e.slice(e.indexOf('=') + 1)]))
    : (service.environment ?? {});
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    env[name] = String(value ?? '').replace(
      /\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g,
      (whole, variable, fallback) => {
        if (fallback === undefined) throw new Error(`${name}: ${whole} has no default`);
        return fallback;
      },
    );
  }
  return env;
}

export const commandOf = (service: ComposeService): string[] =>
  typeof service.command === 'string' ? service.command.split(/\s+/) : (service.command ?? []);

export const healthcheckCommand = (service: ComposeService): string =>
  [service.healthcheck?.test ?? []].flat().join(' ');

/** `[host_ip:]published:target` -> its parts (short syntax, as this file uses it). */
export function publishedPorts(service: ComposeService) {
  return (service.ports ?? []).map((p) => {
    if (typeof p !== 'string')
      return { hostIp: p.host_ip, published: String(p.published), target: String(p.target) };
    const parts = p.replace(/\/(tcp|udp)$/, '').split(':');
    const [target, published, hostIp] = parts.reverse();
    return { hostIp, published, target };
  });
}

export const dependsOn = (service: ComposeService): Record<string, string | undefined> =>
  Array.isArray(service.depends_on)
    ? Object.fromEntries(service.depends_on.map((s) => [s, undefined]))
    : Object.fromEntries(Object.entries(service.depends_on ?? {}).map(([s, d]) => [s, d.condition]));
