// Assertions shared by the plan and version tests.
import assert from 'node:assert/strict';
import { ErrorCode, VirError, type ErrorCodeName } from '../../../src/errors.js';
import { buildPlan, type PlanPaths, type PlanRequest } from '../../../src/firecracker/plan/index.js';
import type { DomainDef } from '../../../src/conf/domain-def.js';
import type { FirecrackerVersion } from '../../../src/firecracker/version.js';
import { schemaFor, schemaViolations } from './api-schema.js';

/** `fn` throws a VirError with this code and exactly this message. */
export function assertVirError(fn: () => unknown, code: ErrorCodeName, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof VirError, `expected a VirError, got ${String(error)}`);
    assert.equal(error.codeName, code);
    assert.equal(error.code, ErrorCode[code]);
    assert.equal(error.message, message);
    return true;
  });
}

/** Plans `def` and checks every body against what that version accepts. */
export function plan(def: DomainDef, version: FirecrackerVersion, paths: PlanPaths = {}): PlanRequest[] {
  const requests = buildPlan(def, version, paths);
  assert.deepEqual(requests.flatMap((request) => schemaViolations(schemaFor(version), request)), []);
  return requests;
}

/** The one request of the plan at `path`. */
export function requestAt(requests: PlanRequest[], path: string): PlanRequest {
  const found = requests.filter((request) => request.path === path);
  assert.equal(found.length, 1, `expected one request at ${path}, found ${found.length}`);
  return found[0] ?? assert.fail();
}

/** The requests whose path starts with `prefix`, in plan order. */
export function requestsUnder(requests: PlanRequest[], prefix: string): PlanRequest[] {
  return requests.filter((request) => request.path.startsWith(prefix));
}
