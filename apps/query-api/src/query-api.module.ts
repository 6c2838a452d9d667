import { Module } from '@nestjs/common';
import { ReadPositionGuard } from './read-position.guard';
import { TasksQueryController } from './tasks-query.controller';

/**
 * The read side over HTTP. Needs, from the app root: LedgerConfigModule, EventStoreModule
 * (positions), ReadModelsModule, and a READ_POSITION_WAITER (the in-process projector, or a
 * store watcher when the query API runs alone).
 */
@Module({ controllers: [TasksQueryController], providers: [ReadPositionGuard] })
export class QueryApiModule {}
