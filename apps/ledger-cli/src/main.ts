import { run } from './cli';

// The `ledger` binary (bin/ledger.js requires the compiled form of this file).
void run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
