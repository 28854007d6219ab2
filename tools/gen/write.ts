/** Writes the generated files (`npm run gen`). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateDslMethods } from './dsl-methods.js';

const out = fileURLToPath(new URL('../../assembler/dsl/methods.ts', import.meta.url));
writeFileSync(out, generateDslMethods());
console.log(`wrote ${out}`);
