import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The examples import the package by name, as a user's project does; here the name means these sources.
  resolve: {
    alias: [
      { find: /^cqrs-testbed\/kit$/, replacement: fileURLToPath(new URL('./src/kit/index.ts', import.meta.url)) },
      { find: /^cqrs-testbed$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx', 'examples/**/*.test.ts'],
    // Integration suites each start their own nats-server; two cores, so keep parallelism modest.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
