// `fcvirt validate FILE`, run in process through the CLI's entry point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { repoRoot, testData } from '../helpers/paths.js';

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) }, {});
  return { code, stdout, stderr };
}

test('a valid file validates', async () => {
  const file = path.join(repoRoot, 'examples', 'demo.xml');
  assert.deepEqual(await run('validate', file), { code: 0, stdout: `${file} validates\n`, stderr: '' });
});

test('a refused file prints the error as virsh does and exits 1', async () => {
  const file = testData('xml-errors', 'seed-disk-fragment.xml');
  assert.deepEqual(await run('validate', file), {
    code: 1,
    stdout: '',
    stderr: 'error: XML error: malformed XML at line 5, column 1: unclosed tag: disk\n',
  });
});

test('--validate also refuses elements libvirt does not know', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fcvirt-validate-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const file = path.join(dir, 'unknown.xml');
  writeFileSync(file, "<domain type='firecracker'><name>u</name><memory>1024</memory><os><type>hvm</type><kernel>/k</kernel></os><x/></domain>");
  assert.equal((await run('validate', file)).code, 0);
  assert.deepEqual(await run('validate', '--validate', file), {
    code: 1,
    stdout: '',
    stderr: 'error: XML document failed to validate against schema: element <x> is not allowed in <domain> (<x> at line 1)\n',
  });
});

test('a missing file is named', async () => {
  assert.deepEqual(await run('validate', '/nonexistent/domain.xml'), {
    code: 1,
    stdout: '',
    stderr: "error: Failed to open file '/nonexistent/domain.xml': No such file or directory\n",
  });
});

test('a missing or extra argument, or an unknown option, is a usage error', async () => {
  assert.deepEqual(await run('validate'), { code: 1, stdout: '', stderr: 'error: usage: fcvirt validate [--validate] FILE\n' });
  assert.equal((await run('validate', 'a.xml', 'b.xml')).stderr, 'error: usage: fcvirt validate [--validate] FILE\n');
  assert.equal((await run('validate', '--strict', 'a.xml')).stderr, "error: command 'validate' doesn't support option --strict\n");
});
