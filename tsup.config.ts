import { defineConfig } from 'tsup';

// One bundled, self-contained CLI: `npx rvsmp` works right after `npm ci` (prepare runs tsup); and the
// fuzz campaign's runner (npm run fuzz, test/tools/fuzz.test.ts).
export default defineConfig({
  entry: { cli: 'tools/bin.ts', fuzz: 'tools/fuzz/main.ts' },
  format: ['esm'],
  splitting: false,
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  clean: true,
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
});
