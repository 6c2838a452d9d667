import { describeContract, type ContractTarget } from '@ledger/platform/testing/contract-target';
import { listingCases } from './task-queries-listing.contract';
import { readCases } from './task-queries-reads.contract';
import type { TaskQueriesFixture } from './task-queries.fixtures';

export type { TaskQueriesFixture } from './task-queries.fixtures';

/**
 * Every case a TaskQueries adapter must pass, measured against the pure reference order
 * (`compareTasks`) and filter semantics rather than against another adapter. An adapter spec
 * makes exactly one call, so no adapter can leave a case out. `make` returns a fresh pair over
 * EMPTY storage (nothing registered): the cases project what they read through the store.
 * @example taskQueriesContract({ name: 'sqlite', make: async () => ({ store, queries, cleanup }) })
 */
export function taskQueriesContract(target: ContractTarget<TaskQueriesFixture>): void {
  describeContract('TaskQueries', target, (make) => {
    readCases(make);
    listingCases(make);
  });
}
