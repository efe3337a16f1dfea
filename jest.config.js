// Two projects: `unit` (pure code, golden files, fast) and `integration` (real HAProxy,
// the Marathon emulator, real sockets). ESM throughout, so jest runs under
// --experimental-vm-modules and ts-jest only transpiles (tsc --noEmit type-checks).
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
  testEnvironment: 'node',
};

export default {
  // Integration tests start real processes; unit tests finish far below this.
  testTimeout: 60000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/golden/**/*.test.ts'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
  ],
};
