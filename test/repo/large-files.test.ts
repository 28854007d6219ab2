/**
 * No tracked file is over 2 MB (tools/repo/large-files.sh; .ci/run runs it too). A 56 MB core dump
 * of gdb-multiarch was once committed at the root.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = join(__dirname, '../../tools/repo/large-files.sh');

describe('tracked file sizes', () => {
  it('no tracked file of this checkout is over 2 MB', () => {
    const r = spawnSync('bash', [script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('a tracked file over the limit is named and fails the check', () => {
    // A scratch repository holding a copy of the script and one 3 KB file, checked with a 2 KB limit.
    const dir = mkdtempSync(join(tmpdir(), 'rvsmp-large-'));
    execFileSync('mkdir', ['-p', join(dir, 'tools/repo')]);
    execFileSync('cp', [script, join(dir, 'tools/repo/large-files.sh')]);
    writeFileSync(join(dir, 'core'), Buffer.alloc(3000));
    execFileSync('git', ['init', '-q'], { cwd: dir });
    execFileSync('git', ['add', '.'], { cwd: dir });
    const r = spawnSync('bash', [join(dir, 'tools/repo/large-files.sh'), '2048'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('3000 core');
  });
});
