export * from './sqlite-projection-store';
export { openReadModelDatabase } from './sqlite-connection';
