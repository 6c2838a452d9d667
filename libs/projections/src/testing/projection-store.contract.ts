import { describeContract, type ContractTarget } from '@ledger/platform/testing/contract-target';
import type { ProjectionStore } from '../core';
import { documentCases } from './projection-store-documents.contract';
import { operationCases } from './projection-store-operations.contract';

/**
 * Every case a ProjectionStore adapter must pass. An adapter spec makes exactly one call, so
 * no adapter can leave a case out. `make` must return a fresh, empty store each time.
 * @example projectionStoreContract({ name: 'sqlite', make: async () => createSqliteProjectionStore({ file }) })
 */
export function projectionStoreContract(target: ContractTarget<ProjectionStore>): void {
  describeContract('ProjectionStore', target, (make) => {
    documentCases(make);
    operationCases(make);
  });
}
