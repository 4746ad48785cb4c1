export * from './image-hashes';
export * from './fine-hash';
export * from './phash-bands';
export * from './near-duplicate.rule';
