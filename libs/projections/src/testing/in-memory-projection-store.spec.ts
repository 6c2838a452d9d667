import { InMemoryProjectionStore } from './in-memory-projection-store';
import { projectionStoreContract } from './projection-store.contract';

projectionStoreContract({ name: 'in-memory', make: async () => new InMemoryProjectionStore() });
