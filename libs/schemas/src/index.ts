export * from './topics';
export * from './events';
export * from './contracts';
export * from './registry';
