// Golden files like libvirt's qemuxml2xmltest: NAME.xml → NAME.expected.xml (inactive form)
// and, for the cases in `liveCases`, NAME.live.xml. FCVIRT_REGENERATE=1 rewrites them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { formatDomainXML, parseDomainXML, type DomainDef } from '../../src/conf/index.js';
import { regenerate } from '../helpers/paths.js';
import { fixedRandomBytes } from './fixed-random.js';
import { goldenInputs, xml2xmlDir } from './golden-inputs.js';

const liveCases = new Set(['seed-example', 'live-devices', 'serial-console', 'interfaces']);

/** What the driver fills in when a domain runs: id, pty path, aliases (libvirt's names). */
function makeLive(def: DomainDef): void {
  def.id = 7;
  def.disks.forEach((disk, index) => (disk.alias = `virtio-disk${String(index)}`));
  def.interfaces.forEach((net, index) => (net.alias = `net${String(index)}`));
  if (def.serial !== undefined) {
    def.serial.sourcePath = '/dev/pts/4';
    def.serial.alias = 'serial0';
  }
  if (def.memballoon !== undefined) def.memballoon.alias = 'balloon0';
  if (def.vsock !== undefined) def.vsock.alias = 'vsock0';
  if (def.rng !== undefined) def.rng.alias = 'rng0';
}

function compareGolden(file: string, actual: string): void {
  if (regenerate || !existsSync(file)) {
    if (!regenerate) assert.fail(`${path.basename(file)} is missing: run with FCVIRT_REGENERATE=1 and review it`);
    writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `${path.basename(file)} differs (FCVIRT_REGENERATE=1 rewrites it)`);
}

for (const name of goldenInputs()) {
  test(`xml2xml ${name}`, () => {
    const input = readFileSync(path.join(xml2xmlDir, `${name}.xml`), 'utf8');
    const def = parseDomainXML(input, { randomBytes: fixedRandomBytes() });
    compareGolden(path.join(xml2xmlDir, `${name}.expected.xml`), formatDomainXML(def));
    if (liveCases.has(name)) {
      makeLive(def);
      compareGolden(path.join(xml2xmlDir, `${name}.live.xml`), formatDomainXML(def, { live: true }));
    }
  });
}
