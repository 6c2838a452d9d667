import 'reflect-metadata';
import { loadConfigOrExit } from '@ledger/platform/config';
import { createHttpApp, listen } from '@ledger/platform/http';
import { LedgerApp } from './ledger.app';

async function main() {
  const config = loadConfigOrExit();
  await listen(await createHttpApp(LedgerApp.forRoot(config), config, 'ledger'), config);
}

void main();
