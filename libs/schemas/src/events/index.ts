export * from './image-arrived.event';
export * from './vector-extracted.event';
export * from './perceptual-hash';
export * from './vector-cleaned.event';
export * from './index-updated.event';
export * from './dead-letter.envelope';
export * from './event-samples';
