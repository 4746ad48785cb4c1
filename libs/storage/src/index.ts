export * from './image-fetch.errors';
export * from './image-fetcher.port';
export * from './uri-image.fetcher';
