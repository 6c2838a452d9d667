// @swc/jest keeps the suite fast, with the options the sources are compiled with elsewhere too.
const swc = ['@swc/jest', require('./libs/platform/src/testing/swc-options.js')];

const moduleNameMapper = {
  '^@ledger/(tasks|event-store|projections|read-models|platform)$': '<rootDir>/libs/$1/src',
  '^@ledger/(tasks|event-store|projections|read-models|platform)/(.*)$': '<rootDir>/libs/$1/src/$2',
};

const common = {
  rootDir: __dirname,
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper,
  testEnvironment: 'node',
  setupFiles: ['reflect-metadata'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,bench}/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    },
  ],
};
