// Where tests find the repository: they run from dist/test/…, data stays in test/data/.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root (the directory holding package.json). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A path under test/data/. */
export function testData(...parts: string[]): string {
  return path.join(repoRoot, 'test', 'data', ...parts);
}

/** True when golden files should be rewritten instead of compared (FCVIRT_REGENERATE=1). */
export const regenerate = process.env.FCVIRT_REGENERATE === '1';
