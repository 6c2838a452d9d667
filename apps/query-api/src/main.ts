import 'reflect-metadata';
import { loadConfigOrExit } from '@ledger/platform/config';
import { createHttpApp, listen } from '@ledger/platform/http';
import { QueryApiApp } from './query-api.app';

async function main() {
  const config = loadConfigOrExit();
  await listen(await createHttpApp(QueryApiApp.forRoot(config), config, 'ledger-query-api'), config);
}

void main();
