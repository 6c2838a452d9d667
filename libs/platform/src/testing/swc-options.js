// How the TypeScript sources are compiled outside tsc: by jest (@swc/jest) and by
// register-ts-source.js. Decorator metadata is needed for Nest's DI.
module.exports = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
};
