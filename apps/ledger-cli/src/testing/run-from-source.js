// Runs the ledger CLI straight from its TypeScript sources (tests spawn it as a child process
// without waiting for a build). Usage: node run-from-source.js <ledger args>
const path = require('node:path');

const root = path.resolve(__dirname, '../../../..');
require(path.join(root, 'libs/platform/src/testing/register-ts-source.js'));
require('reflect-metadata');
require(path.join(root, 'apps/ledger-cli/src/main.ts'));
