// --config-file: the whole configuration in one JSON document (VmmConfig, kebab-case keys),
// applied in VmResources::from_json's order, then InstanceStart. A failure is fatal.
import { ActionError } from './messages.js';
import type { Profile } from './profile.js';
import type { Obj } from './resources.js';
import { asSerde } from './serde-json.js';
import { dflt, deserialize, opt, req, struct, vec, str, type Schema } from './serde-schema.js';
import { schemasFor } from './schemas.js';
import type { Vmm, VmmAction } from './vmm.js';
import { normaliseMac } from './resources.js';

export type BuildResult = { ok: true } | { ok: false; display: string; debug: string };

function vmmConfigSchema(profile: Profile): Schema {
  const s = schemasFor(profile);
  const fields = [
    opt('balloon', s.balloon),
    req('drives', vec(s.drive)),
    req('boot-source', s.bootSource),
  ];
  if (profile.modern) fields.push(opt('cpu-config', str));
  fields.push(
    opt('logger', s.logger),
    opt('machine-config', s.machineConfigPut),
    opt('metrics', s.metrics),
    opt('mmds-config', s.mmdsConfig),
    dflt('network-interfaces', vec(s.net), []),
    opt('vsock', s.vsock),
  );
  if (profile.modern && s.entropy && s.pmem && s.hotplugMemory) {
    fields.push(opt('entropy', s.entropy), dflt('pmem', vec(s.pmem), []), opt('memory-hotplug', s.hotplugMemory));
  }
  return struct('VmmConfig', fields, false);
}

export function buildFromJson(profile: Profile, vmm: Vmm, json: string): BuildResult {
  let cfg: Obj;
  try {
    cfg = deserialize(Buffer.from(json), vmmConfigSchema(profile)) as Obj;
  } catch (e) {
    const err = asSerde(e);
    const debug = `InvalidJson(Error(${JSON.stringify(err.text)}, line: ${err.line}, column: ${err.column}))`;
    return failed(profile, debug, debug);
  }
  const steps: [string, VmmAction][] = [];
  const add = (variant: string, action: VmmAction): void => { steps.push([variant, action]); };
  if (cfg.logger !== null) add('Logger', { type: 'ConfigureLogger', cfg: cfg.logger as Obj });
  if (cfg.metrics !== null) add('Metrics', { type: 'ConfigureMetrics', path: (cfg.metrics as Obj).metrics_path as string });
  const machine = cfg['machine-config'] as Obj | null;
  if (machine !== null) {
    add('VmConfig', {
      type: 'SetVmConfiguration',
      update: {
        vcpu_count: machine.vcpu_count as number | null,
        mem_size_mib: machine.mem_size_mib as bigint | null,
        smt: (machine[profile.v1 ? 'smt' : 'ht_enabled'] as boolean | null | undefined) ?? null,
        cpu_template: (machine.cpu_template as string | null | undefined) ?? null,
        track_dirty_pages: machine.track_dirty_pages as boolean | null,
        huge_pages: (machine.huge_pages as string | null | undefined) ?? null,
      },
    });
  }
  const boot = cfg['boot-source'] as Obj;
  add('BootSource', { type: 'ConfigureBootSource', cfg: { kernel_image_path: boot.kernel_image_path as string, initrd_path: boot.initrd_path as string | null, boot_args: boot.boot_args as string | null } });
  for (const d of cfg.drives as Obj[]) {
    add('BlockDevice', {
      type: 'InsertBlockDevice',
      cfg: {
        drive_id: d.drive_id as string,
        path_on_host: (d.path_on_host as string | null | undefined) ?? null,
        is_root_device: d.is_root_device as boolean,
        partuuid: d.partuuid as string | null,
        is_read_only: (d.is_read_only as boolean | null | undefined) ?? false,
        cache_type: d.cache_type as string,
        rate_limiter: d.rate_limiter as Obj | null,
        io_engine: (d.io_engine as string | null | undefined) ?? 'Sync',
        socket: (d.socket as string | null | undefined) ?? null,
      },
    });
  }
  for (const n of cfg['network-interfaces'] as Obj[]) {
    const mac = n.guest_mac as string | null;
    add('NetDevice', {
      type: 'InsertNetworkDevice',
      cfg: {
        iface_id: n.iface_id as string,
        host_dev_name: n.host_dev_name as string,
        guest_mac: mac === null ? null : normaliseMac(mac),
        mtu: (n.mtu as number | null | undefined) ?? null,
        rx_rate_limiter: n.rx_rate_limiter as Obj | null,
        tx_rate_limiter: n.tx_rate_limiter as Obj | null,
        allow_mmds_requests: (n.allow_mmds_requests as boolean | undefined) ?? false,
      },
    });
  }
  const vsock = cfg.vsock as Obj | null;
  if (vsock !== null) {
    add('VsockDevice', { type: 'SetVsockDevice', cfg: { vsock_id: vsock.vsock_id as string | null, guest_cid: vsock.guest_cid as number, uds_path: vsock.uds_path as string } });
  }
  const balloon = cfg.balloon as Obj | null;
  if (balloon !== null) {
    add('BalloonDevice', {
      type: 'SetBalloonDevice',
      cfg: {
        amount_mib: balloon.amount_mib as number,
        deflate_on_oom: balloon.deflate_on_oom as boolean,
        stats_polling_interval_s: balloon.stats_polling_interval_s as number,
        free_page_hinting: (balloon.free_page_hinting as boolean | undefined) ?? false,
        free_page_reporting: (balloon.free_page_reporting as boolean | undefined) ?? false,
      },
    });
  }
  const mmds = cfg['mmds-config'] as Obj | null;
  if (mmds !== null) {
    add('MmdsConfig', {
      type: 'SetMmdsConfiguration',
      cfg: {
        version: (mmds.version as string | undefined) ?? 'V1',
        network_interfaces: (mmds.network_interfaces as string[] | undefined) ?? [],
        ipv4_address: mmds.ipv4_address as string | null,
        imds_compat: (mmds.imds_compat as boolean | undefined) ?? false,
      },
    });
  }
  if (profile.modern) {
    if (cfg.entropy !== null && cfg.entropy !== undefined) add('EntropyDevice', { type: 'SetEntropyDevice', cfg: cfg.entropy as Obj });
    for (const p of (cfg.pmem as Obj[] | undefined) ?? []) add('PmemDevice', { type: 'InsertPmemDevice', cfg: p });
    const hotplug = cfg['memory-hotplug'] as Obj | null | undefined;
    if (hotplug !== null && hotplug !== undefined) add('MemoryHotplugConfig', { type: 'SetMemoryHotplugDevice', cfg: hotplug });
  }
  for (const [variant, action] of steps) {
    try {
      vmm.handle(action);
    } catch (e) {
      if (!(e instanceof ActionError)) throw e;
      return failed(profile, `${variant}(${JSON.stringify(e.text)})`, `${variant}(${JSON.stringify(e.text)})`);
    }
  }
  try {
    vmm.handle({ type: 'StartMicroVm' });
  } catch (e) {
    if (!(e instanceof ActionError)) throw e;
    const text = profile.modern ? e.text.replace(/^Start microvm error: /, '') : e.text;
    return {
      ok: false,
      display: profile.modern ? `Could not Start MicroVM from one single json: ${text}` : `Building VMM configured from cmdline json failed: ${JSON.stringify(text)}`,
      debug: `StartMicroVM(${JSON.stringify(text)})`,
    };
  }
  return { ok: true };
}

function failed(profile: Profile, display: string, debug: string): BuildResult {
  return {
    ok: false,
    display: profile.modern ? `Configuration for VMM from one single json failed: ${display}` : `Configuration for VMM from one single json failed: ${display}`,
    debug: `ParseFromJson(${debug})`,
  };
}
