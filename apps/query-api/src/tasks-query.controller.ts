import { Controller, Get, Headers, HttpStatus, Inject, Param, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { NotFoundError } from '@ledger/platform/errors';
import { ApiKeyGuard, Ctx, type RequestContext } from '@ledger/platform/http';
import { TASK_QUERIES, type TaskQueries } from '@ledger/read-models/core';
import { parseTaskListQuery, type TaskListQuery } from '@ledger/read-models/queries/task-list-query';
import { toTaskView } from '@ledger/read-models/queries/task-view';
import { TaskIdPipe } from '@ledger/platform/http/task-id.pipe';
import { NOTHING_PROJECTED, ReadPositionGuard, ReadsFrom, ReportsPosition } from './read-position.guard';

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
  // The page comes with the position it reflects: no separate read for X-Position.
  @ReportsPosition()
  async list(
    @Query() raw: Record<string, unknown>,
    @Ctx() ctx: RequestContext,
    // The page arrives serialised (spliced from the stored JSON): sent as is, not re-serialised.
    @Res() res: FastifyReply,
  ): Promise<void> {
    let query: TaskListQuery;
    try {
      query = parseTaskListQuery(raw);
    } catch (error) {
      // Refused before anything was read, and still answered with X-Position, like every read.
      res.header('X-Position', (await this.queries.position(['tasks'])) ?? NOTHING_PROJECTED);
      throw error;
    }
    const page = await this.queries.listTasksJson(ctx.tenantId, query);
    void res
      .code(HttpStatus.OK)
      .header('X-Position', page.position ?? NOTHING_PROJECTED)
      .type('application/json; charset=utf-8')
      .send(page.value);
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
    void res.code(HttpStatus.OK).send(toTaskView(task));
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
