/** The executable entry point (bundled by tsup as dist/cli.js). */
import { main } from './cli.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
