import type { ContractTarget } from '@ledger/platform/testing/contract-target';
import { describeContract } from '@ledger/platform/testing/contract-target';
import type { EventStore } from '../core';
import { appendCases } from './event-store-append.contract';
import { readCases } from './event-store-read.contract';
import { subscriptionCases } from './event-store-subscription.contract';

/**
 * Every behaviour an `EventStore` adapter must have. An adapter spec calls this exactly once, so
 * no adapter can opt out of a case. Tests never assume an empty log: they work in a namespace of
 * their own (see `namespace()`), so the suite also runs against a shared EventStoreDB server.
 *
 * Partial duplicates: a batch whose event ids are only partly stored throws `WrongExpectedVersion`
 * (with the stream's current revision) and writes nothing.
 *
 * @example eventStoreContract({ name: 'sqlite', make: async () => createSqliteEventStore({ file }) })
 */
export function eventStoreContract(target: ContractTarget<EventStore>): void {
  describeContract('EventStore', target, (make) => {
    appendCases(make);
    readCases(make);
    subscriptionCases(make);
  });
}
