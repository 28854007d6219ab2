/** Builds the bundled CLI once before the tests, so CLI tests run what users run (dist/cli.js). */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync('npx', ['tsup', '--silent'], { stdio: 'inherit' });
}
