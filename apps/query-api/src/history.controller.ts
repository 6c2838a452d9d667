import { Controller, Get, Inject, Param, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { EVENT_STORE, type EventStore } from '@ledger/event-store/core';
import { NotFoundError } from '@ledger/platform/errors';
import { ApiKeyGuard, Ctx, type RequestContext } from '@ledger/platform/http';
import { taskStreamName, upcast, type TaskEvent } from '@ledger/tasks';
import { TaskIdPipe } from '../../command-api/src/task-id.pipe';

/**
 * Served straight from the task's stream until the task-history read model lands: always
 * exact, and X-Position is the stream's last position.
 */
@ApiTags('queries')
@ApiBearerAuth()
@Controller('v1/tasks')
@UseGuards(ApiKeyGuard)
export class HistoryController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get(':id/history')
  async history(
    @Param('id', TaskIdPipe) taskId: string,
    @Ctx() ctx: RequestContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const recorded = await this.store.readStream(taskStreamName(taskId));
    const events = recorded.map((r) => ({ recorded: r, event: upcast(r) as TaskEvent }));
    if (events.length === 0 || events[0].event.metadata.tenantId !== ctx.tenantId)
      throw new NotFoundError('task not found');
    res.setHeader('X-Position', recorded[recorded.length - 1].position);
    return {
      items: events.map(({ recorded: r, event: e }) => ({
        revision: Number(r.revision),
        type: e.type,
        data: e.data,
        actor: e.metadata.actor,
        occurredAt: e.metadata.occurredAt,
        position: r.position,
      })),
    };
  }
}
