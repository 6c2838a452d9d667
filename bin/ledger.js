#!/usr/bin/env node
// The `ledger` operator CLI; `npm run build` compiles it into dist/ (npm run ledger does both).
require('../dist/apps/ledger-cli/src/main.js');
