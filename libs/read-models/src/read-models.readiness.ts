import type { ReadinessCheck } from '@ledger/platform/health';
import type { TaskQueries } from './core/task-queries.port';

export const readStoreReadiness = (queries: TaskQueries): ReadinessCheck => ({
  name: 'readStore',
  check: async () => {
    await queries.position();
  },
});
