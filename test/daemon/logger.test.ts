import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/daemon/logger.js';
import { VirError } from '../../src/errors.js';

function capture(verbose: boolean) {
  const lines: string[] = [];
  const logger = createLogger({ verbose, write: (line) => lines.push(line), now: () => new Date(Date.UTC(2024, 4, 1, 12, 3, 4, 56)), pid: 42 });
  return { logger, lines };
}

const call = {
  client: 3,
  proc: 23,
  name: 'DOMAIN_LOOKUP_BY_NAME',
  api: 'virDomainLookupByName',
  durationMs: 0.4567,
  error: null,
};

test('without --verbose only warnings and errors are written, in libvirt\'s line format', () => {
  const { logger, lines } = capture(false);
  logger.info('serving');
  logger.call(call, 'virtfcd-sock');
  logger.warn('dropping client 2: bad packet');
  logger.error('cannot start:\n  because');
  assert.deepEqual(lines, [
    '2024-05-01 12:03:04.056+0000: 42: warning : dropping client 2: bad packet\n',
    '2024-05-01 12:03:04.056+0000: 42: error : cannot start: because\n',
  ]);
});

test('with --verbose every call is one line: client, socket, procedure, API, duration, result', () => {
  const { logger, lines } = capture(true);
  logger.call(call, 'virtfcd-sock');
  logger.call(
    { ...call, client: 4, proc: 9, name: 'DOMAIN_CREATE', api: 'virDomainCreate', durationMs: 12, error: new VirError('VIR_ERR_OPERATION_INVALID', 'domain is already running') },
    'virtfcd-sock',
  );
  logger.call({ ...call, proc: 1, name: 'CONNECT_OPEN', api: 'virConnectOpen', durationMs: 1, error: new VirError('VIR_ERR_OPERATION_DENIED', 'read only access prevents virDomainCreate') }, 'virtfcd-sock-ro');
  assert.deepEqual(lines, [
    '2024-05-01 12:03:04.056+0000: 42: info : client 3 on virtfcd-sock: DOMAIN_LOOKUP_BY_NAME (virDomainLookupByName) 0.46 ms: ok\n',
    '2024-05-01 12:03:04.056+0000: 42: info : client 4 on virtfcd-sock: DOMAIN_CREATE (virDomainCreate) 12.00 ms: error VIR_ERR_OPERATION_INVALID: Requested operation is not valid: domain is already running\n',
    '2024-05-01 12:03:04.056+0000: 42: info : client 3 on virtfcd-sock-ro: CONNECT_OPEN (virConnectOpen) 1.00 ms: error VIR_ERR_OPERATION_DENIED: operation forbidden: read only access prevents virDomainCreate\n',
  ]);
});
