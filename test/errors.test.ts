import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirError, ErrorCode, ErrorDomain } from '../src/errors.js';

test('a VirError carries the code and libvirt\'s message prefix', () => {
  const error = new VirError('VIR_ERR_CONFIG_UNSUPPORTED', 'no rng here', { domain: 'VIR_FROM_DOMAIN' });
  assert.equal(error.code, ErrorCode.VIR_ERR_CONFIG_UNSUPPORTED);
  assert.equal(error.codeName, 'VIR_ERR_CONFIG_UNSUPPORTED');
  assert.equal(error.domain, ErrorDomain.VIR_FROM_DOMAIN);
  assert.equal(error.message, 'unsupported configuration: no rng here');
  assert.equal(error.detail, 'no rng here');
});

test('an error from the wire keeps its message as sent', () => {
  const error = VirError.fromWire(42, 10, "Domain not found: no domain with matching name 'x'");
  assert.equal(error.code, ErrorCode.VIR_ERR_NO_DOMAIN);
  assert.equal(error.domain, 10);
  assert.equal(error.message, "Domain not found: no domain with matching name 'x'");
});
