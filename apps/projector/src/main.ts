import 'reflect-metadata';
import { loadConfigOrExit } from '@ledger/platform/config';
import { createHttpApp, listen } from '@ledger/platform/http';
import { ProjectorApp } from './projector.app';

async function main() {
  const config = loadConfigOrExit();
  await listen(await createHttpApp(ProjectorApp.forRoot(config), config, 'ledger-projector'), config);
}

void main();
