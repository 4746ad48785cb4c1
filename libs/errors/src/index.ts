export * from './stylestream-error';
