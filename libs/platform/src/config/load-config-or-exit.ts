import { ValidationError } from '../errors';
import { loadConfig, type LedgerConfig } from './ledger-config';

/** For `main` files: a bad environment is a usage error (exit 2) with every bad variable named. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  try {
    return loadConfig(env);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    for (const f of e.fields) process.stderr.write(`config: ${f.field}: ${f.problems.join(', ')}\n`);
    process.exit(2);
  }
}
