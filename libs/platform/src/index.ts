export * from './config';
export * from './errors';
export * from './http';
export * from './logging';
export * from './metrics';
export * from './health';
