// format(parse(format(parse(x)))) === format(parse(x)) for every golden input, inactive and live.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatDomainXML, parseDomainXML } from '../../src/conf/index.js';
import { fixedRandomBytes } from './fixed-random.js';
import { goldenInputs, xml2xmlDir } from './golden-inputs.js';

// Fails the test if parsing needs randomness: a formatted domain carries its uuid and MACs.
const noRandomness = (): Uint8Array => assert.fail('a formatted domain must not need generated values');

for (const name of goldenInputs()) {
  test(`round trip ${name}`, () => {
    const input = readFileSync(path.join(xml2xmlDir, `${name}.xml`), 'utf8');
    const def = parseDomainXML(input, { randomBytes: fixedRandomBytes() });
    const once = formatDomainXML(def);
    const again = parseDomainXML(once, { randomBytes: noRandomness });
    assert.equal(formatDomainXML(again), once);
    assert.equal(again.uuid, def.uuid);
    assert.deepEqual(again.interfaces.map((net) => net.mac), def.interfaces.map((net) => net.mac));

    // The live form keeps what the driver filled in, so a status file reads back the same.
    def.id = 5;
    def.disks.forEach((disk, index) => (disk.alias = `virtio-disk${String(index)}`));
    if (def.serial !== undefined) def.serial.sourcePath = '/dev/pts/1';
    const live = formatDomainXML(def, { live: true });
    assert.equal(formatDomainXML(parseDomainXML(live, { randomBytes: noRandomness }), { live: true }), live);
  });
}
