import { Controller, Get, Headers, HttpStatus, Inject, Param, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { NotFoundError } from '@ledger/platform/errors';
import { ApiKeyGuard, Ctx, type RequestContext } from '@ledger/platform/http';
import { TASK_QUERIES, type TaskQueries } from '@ledger/read-models/core';
import type { TaskDocument } from '@ledger/read-models/projections';
import { parseTaskListQuery } from '@ledger/read-models/queries/task-list-query';
import { TaskIdPipe } from '@ledger/platform/http/task-id.pipe';
import { ReadPositionGuard, ReadsFrom } from './read-position.guard';

/** The public shape of a task: the read model minus its bookkeeping. */
const toView = ({ tenantId: _tenant, ...task }: TaskDocument) => task;

@ApiTags('queries')
@ApiBearerAuth()
@ApiHeader({
  name: 'X-Min-Position',
  required: false,
  description: 'wait until the read model reached this position',
})
@Controller('v1')
// In this order: the key first, then the read position (see ReadPositionGuard).
@UseGuards(ApiKeyGuard, ReadPositionGuard)
export class TasksQueryController {
  constructor(@Inject(TASK_QUERIES) private readonly queries: TaskQueries) {}

  @Get('tasks')
  @ReadsFrom('tasks')
  async list(@Query() query: Record<string, unknown>, @Ctx() ctx: RequestContext) {
    const page = await this.queries.listTasks(ctx.tenantId, parseTaskListQuery(query));
    return { items: page.items.map(toView), nextCursor: page.nextCursor };
  }

  @Get('tasks/:id')
  @ReadsFrom('tasks')
  async get(
    @Param('id', TaskIdPipe) id: string,
    @Ctx() ctx: RequestContext,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    // Not passthrough: Nest would overwrite a 304 with the route's 200.
    @Res() res: FastifyReply,
  ): Promise<void> {
    const task = await this.queries.getTask(ctx.tenantId, id);
    if (!task) throw new NotFoundError('task not found');
    const etag = `"${task.revision}"`;
    res.header('ETag', etag);
    const tags = ifNoneMatch?.split(',').map((t) => t.trim().replace(/^W\//, '')) ?? [];
    if (tags.includes(etag) || tags.includes('*')) {
      void res.code(HttpStatus.NOT_MODIFIED).send();
      return;
    }
    void res.code(HttpStatus.OK).send(toView(task));
  }

  @Get('tasks/:id/history')
  @ReadsFrom('task-history')
  async history(@Param('id', TaskIdPipe) id: string, @Ctx() ctx: RequestContext) {
    const items = await this.queries.taskHistory(ctx.tenantId, id);
    if (items.length === 0) throw new NotFoundError('task not found');
    return { items };
  }

  @Get('stats')
  @ReadsFrom('stats')
  stats(@Ctx() ctx: RequestContext) {
    return this.queries.stats(ctx.tenantId);
  }
}
