import { Module } from '@nestjs/common';
import { ReadPositionInterceptor } from './read-position.interceptor';
import { TasksQueryController } from './tasks-query.controller';

/**
 * The read side over HTTP. Needs, from the app root: LedgerConfigModule, EventStoreModule
 * (positions), ReadModelsModule, and a READ_POSITION_WAITER (the in-process projector, or a
 * store watcher when the query API runs alone).
 */
@Module({ controllers: [TasksQueryController], providers: [ReadPositionInterceptor] })
export class QueryApiModule {}
