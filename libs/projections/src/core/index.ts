export * from './projection';
export * from './projection-store.port';
export * from './projection-errors';
