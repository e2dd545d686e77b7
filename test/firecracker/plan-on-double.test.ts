// Plans sent for real: a few rich xml2plan domains, planned for each version the Firecracker
// test double plays, applied through the driver's API client, must all be accepted and boot.
// The double answers as the recorded binaries do (deny_unknown_fields, mandatory fields, file,
// MAC and tap checks), so this proves more than the field table: the order and the values too.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FirecrackerApiClient } from '../../src/firecracker/api-client.js';
import { planDomainXML } from '../../src/cli/commands/plan.js';
import type { JsonObject, JsonValue, PlanRequest } from '../../src/firecracker/plan/index.js';
import { FAKE_VERSIONS, startFake, tempDir, type FakeVersion } from '../helpers/fake-firecracker.js';
import { testData } from '../helpers/paths.js';
import { version } from './helpers/domain.js';

// Per version, domains the version accepts, covering every request the plan makes.
const domains: Record<FakeVersion, string[]> = {
  '0.25.2': ['seed-example', 'everything-v025', 'disks-root-not-first', 'no-root-initrd', 'mmds-v1'],
  '1.3.3': ['seed-example', 'everything-v025', 'disks-root-not-first', 'mmds-v2', 'disk-io-async'],
  '1.16.1': ['seed-example', 'everything', 'disks-root-not-first', 'net-guest-order', 'rng-rate'],
};

// Body fields that name host files: the plan's paths are the system layout's, so they are
// moved into a scratch folder, where the files Firecracker opens exist.
const INPUT_FILES = new Set(['kernel_image_path', 'initrd_path', 'path_on_host', 'log_path', 'metrics_path']);
const CREATED_BY_FIRECRACKER = new Set(['uds_path']);

function relocate(plan: PlanRequest[], dir: string): PlanRequest[] {
  const moved = new Map<string, string>();
  const place = (original: string, create: boolean): string => {
    let target = moved.get(original);
    if (target === undefined) {
      target = path.join(dir, `${moved.size}-${path.basename(original)}`);
      moved.set(original, target);
      if (create) {
        fs.writeFileSync(target, '');
        fs.truncateSync(target, 1024 * 1024);
      }
    }
    return target;
  };
  const rewrite = (body: JsonObject): JsonObject => Object.fromEntries(Object.entries(body).map(([key, value]): [string, JsonValue] => {
    if (typeof value === 'string' && INPUT_FILES.has(key)) return [key, place(value, true)];
    if (typeof value === 'string' && CREATED_BY_FIRECRACKER.has(key)) return [key, place(value, false)];
    return [key, value];
  }));
  return plan.map((request) => ({ ...request, body: request.path === '/mmds' ? request.body : rewrite(request.body) }));
}

// The double creates a missing tap only for root, as Firecracker does.
const isRoot = process.getuid?.() === 0;

for (const fakeVersion of FAKE_VERSIONS) {
  describe(`plans applied to the Firecracker ${fakeVersion} double`, { concurrency: true }, () => {
    const { dir, cleanup } = tempDir('fcvirt-plan-');
    after(cleanup);
    for (const name of domains[fakeVersion]) {
      const xml = fs.readFileSync(testData('xml2plan', `${name}.xml`), 'utf8');
      const planned = planDomainXML(xml, version(fakeVersion));
      const needsTaps = planned.some((request) => request.path.startsWith('/network-interfaces/'));
      const skip = needsTaps && !isRoot ? 'creating taps needs root, as with Firecracker' : false;
      test(`${name} is accepted and boots`, { skip }, async () => {
        const scratch = fs.mkdtempSync(path.join(dir, `${name}-`));
        const { fake, socket } = await startFake(fakeVersion, scratch);
        const client = new FirecrackerApiClient(socket);
        try {
          await client.apply(relocate(planned, scratch));
          assert.equal((await client.getInstanceInfo()).state, 'Running');
        } finally {
          client.close();
          await fake.stop();
        }
      });
    }
  });
}
