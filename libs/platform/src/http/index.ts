export * from './api-key.guard';
export * from './configure-http-app';
export * from './problem-details';
export * from './problem-details.filter';
export * from './request-context';
export * from './http-app';
