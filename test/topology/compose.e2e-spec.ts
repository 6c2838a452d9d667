import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@ledger/platform/config';
import { dockerStages, emittedByBuild, environmentVariablesRead } from './build-facts';
import {
  commandOf,
  containerEnv,
  dependsOn,
  healthcheckCommand,
  loadCompose,
  publishedPorts,
  ROOT,
  type ComposeService,
} from './compose-file';

/**
 * The compose topology, checked statically: no Docker engine exists where this runs, so nothing
 * here starts a container. What it can check, it checks against the code itself: the env vars
 * the apps read, the files the build emits, the config loader's verdict on each service's env.
 */
const compose = loadCompose();
const APPS: Record<string, { stores: string[] }> = {
  'command-api': { stores: ['eventstore'] },
  'query-api': { stores: ['eventstore', 'mongo'] },
  projector: { stores: ['eventstore', 'mongo'] },
};
const STORES = ['eventstore', 'mongo'];
const service = (name: string): ComposeService => compose.services[name];
const runtime = dockerStages().at(-1)!;

describe('docker-compose.yml', () => {
  it('has the stores and the three ledger processes', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...STORES, ...Object.keys(APPS)].sort());
  });

  describe.each(Object.keys(APPS))('%s', (name) => {
    const app = service(name);
    const env = containerEnv(app);

    it('sets only environment variables the apps read', () => {
      const read = environmentVariablesRead();
      expect(read.has('EVENTSTORE_URL') && read.has('NODE_ENV')).toBe(true); // the scan still finds reads
      expect(Object.keys(env).filter((v) => !read.has(v))).toEqual([]);
    });

    it('has an environment the config loader accepts, for production on the real stores', () => {
      const config = loadConfig(env);
      expect(config).toMatchObject({ production: true, host: '0.0.0.0', devKeyActive: false });
      expect(config.eventStoreUrl).toBeDefined();
      expect(config.mongoUrl).toBeDefined();
    });

    it('points its store URLs at services of this file, on ports they listen on', () => {
      const esdb = new URL(env.EVENTSTORE_URL);
      expect(esdb.protocol).toBe('esdb:');
      expect(esdb.hostname).toBe('eventstore');
      expect(publishedPorts(service('eventstore')).map((p) => p.target)).toContain(esdb.port);
      // EVENTSTORE_INSECURE serves plain HTTP/2: the client must not try TLS.
      expect(esdb.searchParams.get('tls')).toBe('false');
      const mongo = new URL(env.MONGO_URL);
      expect(mongo.hostname).toBe('mongo');
      expect(publishedPorts(service('mongo')).map((p) => p.target)).toContain(mongo.port);
    });

    it('runs a main that `npm run build` emits, from the image the Dockerfile builds', () => {
      const [node, main, ...rest] = commandOf(app);
      expect({ node, main, rest }).toEqual({ node: 'node', main: `dist/apps/${name}/src/main.js`, rest: [] });
      expect(emittedByBuild()).toContain(main);
      expect(app.build).toBeDefined();
      // The relative path resolves from the runtime stage's WORKDIR, where dist is copied.
      expect(runtime.instructions).toEqual(
        expect.arrayContaining(['WORKDIR /app', 'COPY --from=build /app/dist ./dist']),
      );
    });

    it('is probed on /health/ready at the port it listens on, and restarts', () => {
      expect(healthcheckCommand(app)).toContain(`http://127.0.0.1:${env.PORT}/health/ready`);
      expect(publishedPorts(app).map((p) => p.target)).toEqual([env.PORT]);
      expect(app.restart).toMatch(/^(always|unless-stopped|on-failure)/);
    });

    it('starts once the stores it uses are healthy', () => {
      const deps = dependsOn(app);
      expect(Object.keys(deps).sort()).toEqual(APPS[name].stores.sort());
      expect(new Set(Object.values(deps))).toEqual(new Set(['service_healthy']));
    });
  });

  it('runs the official store images, pinned, with healthchecks and restart policies', () => {
    expect(service('eventstore').image).toMatch(/^eventstore\/eventstore:\d+\.\d+/);
    expect(service('mongo').image).toMatch(/^mongo:\d+/);
    for (const name of STORES) {
      expect(healthcheckCommand(service(name))).not.toBe('');
      expect(service(name).restart).toBeDefined();
    }
    expect(healthcheckCommand(service('eventstore'))).toContain('/health/live');
    expect(containerEnv(service('eventstore')).EVENTSTORE_INSECURE).toBe('true');
  });

  it('makes MongoDB a single-node replica set, initiated by its healthcheck', () => {
    expect(commandOf(service('mongo')).join(' ')).toContain('--replSet rs0');
    expect(healthcheckCommand(service('mongo'))).toMatch(
      /rs\.initiate\(\{ _id: 'rs0'.*host: 'localhost:27017'/,
    );
  });

  it('publishes every port on 127.0.0.1 only: the stores run without TLS or auth', () => {
    const open = Object.entries(compose.services).flatMap(([name, s]) =>
      publishedPorts(s)
        .filter((p) => p.hostIp !== '127.0.0.1')
        .map((p) => `${name} ${p.published}`),
    );
    expect(open).toEqual([]);
  });

  it('matches the README: the contract-suite URLs reach the published store ports', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.split('### Topology (docker compose)')[1]?.split(/\n#{2,3} /)[0] ?? '';
    expect(section).toContain('docker compose up');
    const esdb = /EVENTSTORE_URL=(esdb:\/\/localhost:(\d+)\S*)/.exec(section);
    const mongo = /MONGO_URL=(mongodb:\/\/localhost:(\d+)\/\?replicaSet=(\w+))/.exec(section);
    expect(esdb?.[2]).toBeDefined();
    expect(mongo?.[2]).toBeDefined();
    expect(publishedPorts(service('eventstore')).map((p) => p.published)).toContain(esdb![2]);
    expect(publishedPorts(service('mongo')).map((p) => p.published)).toContain(mongo![2]);
    expect(commandOf(service('mongo')).join(' ')).toContain(`--replSet ${mongo![3]}`);
  });
});

describe('Dockerfile', () => {
  const stages = dockerStages();
  const build = stages.find((s) => s.name === 'build')!;

  it('builds in one stage (native toolchain, npm ci, npm run build) and runs from another', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    expect(build.base).toBe(runtime.base); // native modules built for the ABI they run on
    const run = build.instructions.filter((i) => i.startsWith('RUN ')).join(' && ');
    expect(run).toMatch(/apt-get install .*python3 make g\+\+/);
    expect(run).toContain('npm ci');
    expect(run).toContain('npm run build');
    expect(run).toMatch(/npm prune --omit=dev/);
  });

  it('ships production dependencies and dist only, as a non-root user', () => {
    const copies = runtime.instructions.filter((i) => i.startsWith('COPY'));
    expect(copies.every((c) => c.startsWith('COPY --from=build '))).toBe(true);
    expect(runtime.instructions).toContain('USER node');
    const cmd = JSON.parse(runtime.instructions.find((i) => i.startsWith('CMD '))!.slice(4)) as string[];
    expect(emittedByBuild()).toContain(cmd[1]);
  });

  it('ships the ledger CLI with the dist main it loads', () => {
    expect(runtime.instructions).toContain('COPY --from=build /app/bin ./bin');
    const bin = readFileSync(join(ROOT, 'bin/ledger.js'), 'utf8');
    const main = /require\('\.\.\/(dist\/[^']+)'\)/.exec(bin)?.[1];
    expect(emittedByBuild()).toContain(main);
  });

  it('keeps host builds, data and secrets out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', 'data', '.env', '.git']));
  });
});

// Optional: docker-compose 1.x (Debian's) parses a compose file without an engine. It is not a
// dependency of this project, so its absence is a reported skip, never a pass.
const dockerCompose = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8' });
const haveDockerCompose = dockerCompose.status === 0;
if (!haveDockerCompose)
  process.stderr.write('SKIPPED docker-compose config -q: docker-compose is not installed\n');
(haveDockerCompose ? it : it.skip)(
  `docker-compose ${haveDockerCompose ? dockerCompose.stdout.trim() : '(not installed: SKIPPED, not passed)'} accepts the file`,
  () => {
    const res = spawnSync('docker-compose', ['-f', join(ROOT, 'docker-compose.yml'), 'config', '-q'], {
      encoding: 'utf8',
    });
    expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: '' });
  },
);
