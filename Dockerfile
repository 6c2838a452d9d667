# One image for every ledger process; docker-compose.yml picks the app with `command`.
# Written and checked by test/topology/compose.e2e-spec.ts, but never built here: the machines
# this project is developed on have no Docker engine.

# --- build: full dependencies, native modules compiled, TypeScript emitted ---------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 (the embedded stores) compiles from source: node-gyp needs these.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# Lockfile first, so a source change does not re-run the slow native build of `npm ci`.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# --- runtime: production dependencies (already compiled, same base image) and dist only ------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LEDGER_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The `ledger` operator CLI: `docker compose exec projector node bin/ledger.js projections status`.
COPY --from=build /app/bin ./bin
# The embedded SQLite stores write here when EVENTSTORE_URL / MONGO_URL are not set.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
# Node has fetch built in: no curl in the image just for probes.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# With no command given the image runs everything in one process on the embedded stores.
CMD ["node", "dist/apps/all-in-one/src/main.js"]
