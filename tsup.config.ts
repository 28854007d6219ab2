import { defineConfig } from 'tsup';

// One bundled, self-contained CLI: `npx rvsmp` works right after `npm ci` (prepare runs tsup).
export default defineConfig({
  entry: { cli: 'tools/bin.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  clean: true,
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
});
