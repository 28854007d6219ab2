/** The executable entry point (bundled by tsup as dist/cli.js). */
import { main } from './cli.js';

process.exitCode = main(process.argv.slice(2));
