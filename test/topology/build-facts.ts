import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { ROOT } from './compose-file';

const stripComments = (source: string) => source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory())
      return name === 'testing' || name === 'node_modules' ? [] : sourceFiles(path);
    return /\.ts$/.test(name) && !/\.(spec|e2e-spec|contract|fixture)\.ts$/.test(name) ? [path] : [];
  });
}

/**
 * Every environment variable the shipped code reads: `env.X`, `env['X']` and `(env, 'X'` (the
 * config loader's integer helper) in libs/platform/src/config, plus any `process.env.X` in apps
 * and libs. Comments are stripped first, so an `@example` does not count as a read.
 */
export function environmentVariablesRead(): Set<string> {
  const names = new Set<string>();
  const add = (source: string, pattern: RegExp) => {
    for (const m of stripComments(source).matchAll(pattern)) names.add(m[1]);
  };
  for (const file of sourceFiles(join(ROOT, 'libs/platform/src/config'))) {
    const source = readFileSync(file, 'utf8');
    add(source, /\benv\.([A-Z][A-Z0-9_]*)\b/g);
    add(source, /\benv\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g);
    add(source, /\(\s*env\s*,\s*['"]([A-Z][A-Z0-9_]*)['"]/g);
  }
  for (const file of [...sourceFiles(join(ROOT, 'apps')), ...sourceFiles(join(ROOT, 'libs'))]) {
    add(readFileSync(file, 'utf8'), /\bprocess\.env\.([A-Z][A-Z0-9_]*)\b/g);
    add(readFileSync(file, 'utf8'), /\bprocess\.env\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g);
  }
  return names;
}

/**
 * The JavaScript files `npm run build` emits (tsconfig.build.json, resolved by TypeScript itself:
 * includes, excludes, extends, rootDir, outDir), relative to the repository root.
 */
export function emittedByBuild(): Set<string> {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.build.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error('tsconfig.build.json could not be read');
  const rootDir = resolve(ROOT, parsed.options.rootDir ?? '.');
  const outDir = resolve(ROOT, parsed.options.outDir ?? '.');
  return new Set(
    parsed.fileNames
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .map((f) => relative(ROOT, join(outDir, relative(rootDir, f))).replace(/\.ts$/, '.js')),
  );
}

export interface DockerStage {
  readonly name: string;
  readonly base: string;
  readonly instructions: string[];
}

/** The Dockerfile's stages and their instructions (continuation lines joined, comments dropped). */
export function dockerStages(file = join(ROOT, 'Dockerfile')): DockerStage[] {
  const lines = readFileSync(file, 'utf8')
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Array<{ name: string; base: string; instructions: string[] }> = [];
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ base: from[1], name: from[2] ?? String(stages.length), instructions: [] });
    else stages.at(-1)?.instructions.push(line.replace(/\s+/g, ' '));
  }
  return stages;
}
