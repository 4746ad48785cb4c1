// The tsconfig's `moduleResolution: node` ignores package.json `exports`; Node resolves
// `chdb/connection` at run time, this points the compiler at the same declarations.
declare module 'chdb/connection' {
  export * from 'chdb/dist/connection/index';
}
