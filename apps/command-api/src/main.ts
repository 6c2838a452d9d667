import 'reflect-metadata';
import { loadConfigOrExit } from '@ledger/platform/config';
import { createHttpApp, listen } from '@ledger/platform/http';
import { CommandApiApp } from './command-api.app';

async function main() {
  const config = loadConfigOrExit();
  await listen(await createHttpApp(CommandApiApp.forRoot(config), config, 'ledger-command-api'), config);
}

void main();
