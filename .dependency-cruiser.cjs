/**
 * The layering the architecture promises, checked by `npm run lint:deps`:
 * the domain and the folds stay pure; apps never reach into another app's adapters.
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment:
        'libs/tasks holds the pure domain: no Nest, no drivers, no adapters, no other lib but platform errors',
      severity: 'error',
      from: { path: '^libs/tasks/src' },
      to: {
        path: [
          '^node_modules/(@nestjs|better-sqlite3|mongodb|@eventstore)',
          '^libs/(event-store|projections|read-models)',
          '^apps/',
        ],
      },
    },
    {
      name: 'domain-errors-only-from-platform',
      severity: 'error',
      from: { path: '^libs/tasks/src' },
      to: { path: '^libs/platform/src', pathNot: '^libs/platform/src/errors' },
    },
    {
      name: 'folds-are-pure',
      comment: 'projection folds import no adapter and no driver',
      severity: 'error',
      from: { path: '^libs/read-models/src/projections' },
      to: {
        path: ['^libs/[^/]+/src/adapters', '^node_modules/(@nestjs|better-sqlite3|mongodb|@eventstore)'],
      },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: ['node_modules', 'dist'] },
  },
};
