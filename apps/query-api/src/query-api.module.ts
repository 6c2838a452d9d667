import { Module } from '@nestjs/common';
import { HistoryController } from './history.controller';

/** The read side over HTTP. Needs EventStoreModule and LedgerConfigModule from the app root. */
@Module({ controllers: [HistoryController] })
export class QueryApiModule {}
