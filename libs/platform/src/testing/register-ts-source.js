// Lets Node require the TypeScript sources as they are (tests spawn the CLI, or start a worker
// thread, without waiting for a build): compiles each .ts file on require with swc, as jest does,
// and maps the @ledger/* aliases of tsconfig.json. Development only: dist/ needs none of it.
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const { transformSync } = require('@swc/core');
const swcOptions = require('./swc-options.js');

const root = path.resolve(__dirname, '../../../..');
const alias = /^@ledger\/(tasks|event-store|projections|read-models|platform)(\/.*)?$/;
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const m = alias.exec(request);
  return resolveFilename.call(this, m ? path.join(root, 'libs', m[1], 'src', m[2] ?? '') : request, ...rest);
};
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...swcOptions, filename });
  module._compile(code, filename);
};
