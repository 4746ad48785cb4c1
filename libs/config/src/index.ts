export * from './load-config';
export * from './worker-script';
