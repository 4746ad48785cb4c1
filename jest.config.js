/** Two tiers: unit (adapters faked, no services) and integration (real stack; see test/run.sh). */
const moduleNameMapper = {
  '^@stylestream/test-support$': '<rootDir>/test/support',
  '^@stylestream/(config|errors|logging|schemas|kafka|metrics|catalog|clickhouse|index|index-writer|model|storage|http|near-duplicate)$': '<rootDir>/libs/$1/src',
};
const transform = { '^.+\\.ts$': ['@swc/jest'] };
const common = { rootDir: __dirname, moduleNameMapper, transform, testEnvironment: 'node', modulePathIgnorePatterns: ['<rootDir>/dist', '<rootDir>/.stack'] };
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,deploy,test,bench}/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/{apps,libs,deploy,test,bench}/**/*.int-spec.ts'], slowTestThreshold: 30 },
  ],
};
