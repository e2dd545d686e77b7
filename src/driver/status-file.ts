// The status file of a running domain, in libvirt's shape: a <domstatus> element with the
// state, its reason, the pid and the process start time, the facts of the Firecracker process
// as child elements, then the live <domain> XML (formatted by conf). It is what a restarted
// driver re-attaches from.
//
//   <domstatus state='running' reason='booted' pid='1234' starttime='567890'>
//     <firecracker binary='/usr/bin/firecracker' version='1.16.1'/>
//     <domainid value='1'/>
//     <runtime dir='/run/libvirt/fc/UUID' apisocket='/run/libvirt/fc/UUID/api.sock'/>
//     <console log='/var/log/libvirt/fc/demo.log' input='…/console.in' owner='…/console.owner' pty='/dev/pts/3'/>
//     <log offset='4096'/>
//     <tap name='fctap0'/>
//     <shutdown requested='yes'/>
//     <autodestroy connection='…'/>
//     <domain type='firecracker' id='1'>…</domain>
//   </domstatus>
//
// Only the <domain> part is parsed by conf; the rest is read here with saxes.

import { SaxesParser } from 'saxes';
import { VirError } from '../errors.js';
import type { DomainRuntime } from './domain-object.js';
import { reasonFromName, reasonName, stateFromName, stateName } from './state-names.js';

export interface StatusRecord {
  state: number;
  reason: number;
  domainId: number;
  runtime: DomainRuntime;
  /** The live <domain> element, as conf formatted it. */
  domainXml: string;
}

function escapeAttribute(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/'/g, '&apos;')
    .replace(/"/g, '&quot;');
}

function indent(xml: string): string {
  return xml
    .replace(/\n+$/, '')
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n');
}

export function formatStatus(record: StatusRecord): string {
  const { runtime } = record;
  const attribute = (name: string, value: string | number): string => ` ${name}='${escapeAttribute(String(value))}'`;
  const lines = [
    `<domstatus${attribute('state', stateName(record.state))}${attribute('reason', reasonName(record.state, record.reason))}${attribute('pid', runtime.pid)}${attribute('starttime', runtime.startTime)}>`,
    `  <firecracker${attribute('binary', runtime.binary)}${attribute('version', runtime.version)}/>`,
    `  <domainid${attribute('value', record.domainId)}/>`,
    `  <runtime${attribute('dir', runtime.runtimeDir)}${attribute('apisocket', runtime.apiSocket)}/>`,
    `  <console${attribute('log', runtime.consoleLog)}${attribute('input', runtime.consoleInput)}${attribute('owner', runtime.consoleOwner)}${runtime.ptyPath === undefined ? '' : attribute('pty', runtime.ptyPath)}/>`,
    `  <log${attribute('offset', runtime.logOffset)}/>`,
    ...runtime.tapsCreated.map((tap) => `  <tap${attribute('name', tap)}/>`),
    ...(runtime.shutdownRequested ? ["  <shutdown requested='yes'/>"] : []),
    ...(runtime.autodestroy === undefined ? [] : [`  <autodestroy${attribute('connection', runtime.autodestroy)}/>`]),
    indent(record.domainXml),
    '</domstatus>',
    '',
  ];
  return lines.join('\n');
}

function corrupt(detail: string): VirError {
  return new VirError('VIR_ERR_INTERNAL_ERROR', `invalid status file: ${detail}`);
}

export function parseStatus(text: string): StatusRecord {
  const start = /<domain[\s>]/.exec(text);
  const end = text.lastIndexOf('</domain>');
  if (start === null || end < start.index) throw corrupt('no <domain> element');
  const domainXml = `${text.slice(start.index, end + '</domain>'.length)}\n`;
  // Read the wrapper with the domain element cut out: conf parses that part.
  const wrapper = text.slice(0, start.index) + text.slice(end + '</domain>'.length);

  const attributes = new Map<string, Record<string, string>>();
  const taps: string[] = [];
  let depth = 0;
  let root: string | undefined;
  const parser = new SaxesParser({ xmlns: false, position: false });
  parser.on('opentag', (tag) => {
    depth++;
    const values: Record<string, string> = {};
    for (const [name, value] of Object.entries(tag.attributes)) values[name] = value;
    if (depth === 1) {
      root = tag.name;
      attributes.set('domstatus', values);
    } else if (depth === 2) {
      if (tag.name === 'tap') {
        if (values.name !== undefined) taps.push(values.name);
      } else {
        attributes.set(tag.name, values);
      }
    }
  });
  parser.on('closetag', () => {
    depth--;
  });
  try {
    parser.write(wrapper).close();
  } catch (error) {
    throw corrupt(error instanceof Error ? error.message : String(error));
  }
  if (root !== 'domstatus') throw corrupt('the root element is not <domstatus>');

  const get = (element: string, name: string): string => {
    const value = attributes.get(element)?.[name];
    if (value === undefined) throw corrupt(`<${element}> has no ${name}`);
    return value;
  };
  const integer = (element: string, name: string): number => {
    const value = get(element, name);
    if (!/^-?\d+$/.test(value)) throw corrupt(`<${element} ${name}='${value}'> is not an integer`);
    return Number(value);
  };

  const state = stateFromName(get('domstatus', 'state'));
  if (state === undefined) throw corrupt(`unknown state '${get('domstatus', 'state')}'`);
  const ptyPath = attributes.get('console')?.pty;
  const autodestroy = attributes.get('autodestroy')?.connection;
  const runtime: DomainRuntime = {
    pid: integer('domstatus', 'pid'),
    startTime: integer('domstatus', 'starttime'),
    binary: get('firecracker', 'binary'),
    version: get('firecracker', 'version'),
    runtimeDir: get('runtime', 'dir'),
    apiSocket: get('runtime', 'apisocket'),
    consoleLog: get('console', 'log'),
    consoleInput: get('console', 'input'),
    consoleOwner: get('console', 'owner'),
    ...(ptyPath === undefined ? {} : { ptyPath }),
    tapsCreated: taps,
    shutdownRequested: attributes.get('shutdown')?.requested === 'yes',
    logOffset: integer('log', 'offset'),
    ...(autodestroy === undefined ? {} : { autodestroy }),
  };
  return {
    state,
    reason: reasonFromName(state, get('domstatus', 'reason')),
    domainId: integer('domainid', 'value'),
    runtime,
    domainXml,
  };
}
