export * from './config';
export * from './errors';
export * from './http';
export * from './logging/logger';
export * from './health';
