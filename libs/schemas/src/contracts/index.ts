export * from './repo-root';
export * from './avsc-file';
export * from './topic-contract';
export * from './contracts';
