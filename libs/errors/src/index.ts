export * from './stylestream-error';
export * from './deadline';
