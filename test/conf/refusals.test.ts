// Every refusal of the XML layer: small documents, the error code and the whole message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirError, type ErrorCodeName } from '../../src/errors.js';
import { parseDomainXML } from '../../src/conf/index.js';
import { fixedRandomBytes } from './fixed-random.js';

interface Parts {
  root?: string;
  name?: string;
  memory?: string;
  /** Line 4: extra top-level elements. */
  top?: string;
  /** Line 5: the whole <os> element. */
  osLine?: string;
  /** Inside <os> on line 5. */
  os?: string;
  /** Inside <devices> on line 6. */
  devices?: string;
  /** Line 7, after <devices>. */
  after?: string;
}

/** A domain whose parts sit on fixed lines, so messages can be checked whole. */
function domain(parts: Parts = {}): string {
  return [
    `<domain ${parts.root ?? "type='firecracker'"} xmlns:fc='http://fcvirt.org/xmlns/domain/1.0'>`,
    `  ${parts.name ?? '<name>t</name>'}`,
    `  ${parts.memory ?? "<memory unit='MiB'>256</memory>"}`,
    `  ${parts.top ?? ''}`,
    `  ${parts.osLine ?? `<os>${parts.os ?? '<type>hvm</type><kernel>/vmlinux</kernel>'}</os>`}`,
    `  <devices>${parts.devices ?? ''}</devices>`,
    `  ${parts.after ?? ''}`,
    '</domain>',
  ].join('\n');
}

const disk = (inner: string, attrs = "type='file' device='disk'"): string => `<disk ${attrs}>${inner}</disk>`;
const vda = "<source file='/rootfs.ext4'/><target dev='vda'/>";
const tap = (dev: string, extra = ''): string => `<interface type='ethernet'><target dev='${dev}'/>${extra}</interface>`;

type Case = [name: string, xml: string, code: ErrorCodeName, message: string | RegExp, validate?: boolean];

const cases: Case[] = [
  // <domain>
  ['domain type kvm', domain({ root: "type='kvm'" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: domain type 'kvm' is not supported by this driver, only 'firecracker' (<domain> at line 1)"],
  ['domain without type', domain({ root: '' }), 'VIR_ERR_XML_ERROR',
    "XML error: missing domain type attribute: write <domain type='firecracker'> (<domain> at line 1)"],
  ['root element not domain', "<vm type='firecracker'/>", 'VIR_ERR_XML_ERROR',
    'XML error: unexpected root element <vm>, expecting <domain> (<vm> at line 1)'],
  ['domain in a namespace', "<domain xmlns='urn:x' type='firecracker'/>", 'VIR_ERR_XML_ERROR',
    'XML error: unexpected root element <domain>, expecting <domain> (<domain> at line 1)'],
  ['name missing', domain({ name: '' }), 'VIR_ERR_NO_NAME',
    'missing name information in <domain>: add a <name> naming the domain (<domain> at line 1)'],
  ['name empty', domain({ name: '<name></name>' }), 'VIR_ERR_NO_NAME',
    'missing name information in <domain>: add a <name> naming the domain (<name> at line 2)'],
  ['name with a slash', domain({ name: '<name>a/b</name>' }), 'VIR_ERR_XML_ERROR',
    "XML error: name 'a/b' cannot contain '/' (<name> at line 2)"],
  ['name with a leading dot', domain({ name: '<name>.hidden</name>' }), 'VIR_ERR_XML_ERROR',
    "XML error: name '.hidden' cannot start with '.' (<name> at line 2)"],
  ['name with a control character', domain({ name: '<name>a&#9;b</name>' }), 'VIR_ERR_XML_ERROR',
    'XML error: name "a\\tb" cannot contain control characters (<name> at line 2)'],
  ['name twice', domain({ top: '<name>u</name>' }), 'VIR_ERR_XML_ERROR',
    'XML error: <domain> may contain only one <name> (<name> at line 4)'],
  ['uuid malformed', domain({ top: '<uuid>1234</uuid>' }), 'VIR_ERR_XML_ERROR',
    "XML error: malformed uuid element '1234' (<uuid> at line 4)"],
  ['title with a newline', domain({ top: '<title>a&#10;b</title>' }), 'VIR_ERR_XML_ERROR',
    "XML error: Domain title can't contain newlines (<title> at line 4)"],

  // memory
  ['memory missing', domain({ memory: '' }), 'VIR_ERR_XML_ERROR',
    "XML error: missing <memory>: give the guest's memory size, e.g. <memory unit='MiB'>512</memory> (<domain> at line 1)"],
  ['memory zero', domain({ memory: '<memory>0</memory>' }), 'VIR_ERR_XML_ERROR',
    'XML error: <memory> must be a positive size, found 0 KiB (<memory> at line 3)'],
  ['memory negative', domain({ memory: '<memory>-1</memory>' }), 'VIR_ERR_XML_ERROR',
    "XML error: invalid value '-1' for <memory>: expected a non-negative integer (<memory> at line 3)"],
  ['memory not a number', domain({ memory: "<memory unit='GiB'>lots</memory>" }), 'VIR_ERR_XML_ERROR',
    "XML error: invalid value 'lots' for <memory>: expected a non-negative integer (<memory> at line 3)"],
  ['memory overflowing 64 bits', domain({ memory: "<memory unit='EiB'>100</memory>" }), 'VIR_ERR_OVERFLOW',
    'numerical overflow: value too large: 100EiB for <memory> (<memory> at line 3)'],
  ['memory overflowing the KiB count', domain({ memory: "<memory unit='TiB'>9000000</memory>" }), 'VIR_ERR_OVERFLOW',
    'numerical overflow: value too large: 9000000TiB for <memory> (<memory> at line 3)'],
  ['memory with an unknown unit', domain({ memory: "<memory unit='GB2'>1</memory>" }), 'VIR_ERR_INVALID_ARG',
    "invalid argument: unknown suffix 'GB2' in <memory> unit: use b, KiB, MiB, GiB or TiB (KB, MB, GB, TB for powers of 1000) (<memory> at line 3)"],
  ['currentMemory above memory', domain({ top: "<currentMemory unit='MiB'>512</currentMemory>" }), 'VIR_ERR_XML_ERROR',
    'XML error: <currentMemory> (524288 KiB) is larger than <memory> (262144 KiB) (<currentMemory> at line 4)'],
  ['currentMemory below memory without a balloon', domain({ top: "<currentMemory unit='MiB'>128</currentMemory>" }),
    'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: <currentMemory> below <memory> needs <memballoon model='virtio'>: Firecracker lowers a guest's memory only by inflating its balloon (<currentMemory> at line 4)"],
  ['currentMemory below memory with balloon none',
    domain({ top: "<currentMemory unit='MiB'>128</currentMemory>", devices: "<memballoon model='none'/>" }),
    'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: <currentMemory> below <memory> needs <memballoon model='virtio'>: Firecracker lowers a guest's memory only by inflating its balloon (<currentMemory> at line 4)"],
  ['currentMemory zero', domain({ top: '<currentMemory>0</currentMemory>' }), 'VIR_ERR_XML_ERROR',
    'XML error: <currentMemory> must be a positive size, found 0 KiB (<currentMemory> at line 4)'],
  ['memory attribute dumpCore', domain({ memory: "<memory unit='MiB' dumpCore='off'>256</memory>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: attribute 'dumpCore' of <memory> is not supported by the firecracker driver (<memory> at line 3)"],

  // vcpu
  ['vcpu zero', domain({ top: '<vcpu>0</vcpu>' }), 'VIR_ERR_XML_ERROR',
    'XML error: <vcpu> must be at least 1, found 0 (<vcpu> at line 4)'],
  ['vcpu above 32', domain({ top: '<vcpu>33</vcpu>' }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: 33 vCPUs requested, but Firecracker supports at most 32 (<vcpu> at line 4)'],
  ['vcpu not a number', domain({ top: '<vcpu>two</vcpu>' }), 'VIR_ERR_XML_ERROR',
    "XML error: invalid value 'two' in <vcpu>: expected a non-negative integer no larger than 4294967295 (<vcpu> at line 4)"],
  ['vcpu current below the count', domain({ top: "<vcpu current='1'>2</vcpu>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: <vcpu current='1'> differs from the vCPU count 2: Firecracker has no vCPU hotplug (<vcpu> at line 4)"],
  ['vcpu cpuset', domain({ top: "<vcpu cpuset='0-1'>2</vcpu>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: attribute 'cpuset' of <vcpu> is not supported by the firecracker driver (<vcpu> at line 4)"],
  ['vcpu placement unknown', domain({ top: "<vcpu placement='dynamic'>2</vcpu>" }), 'VIR_ERR_XML_ERROR',
    "XML error: invalid value for attribute 'placement' in element 'vcpu': 'dynamic', expected 'static' or 'auto' (<vcpu> at line 4)"],

  // <os>
  ['os missing', domain({ osLine: '' }), 'VIR_ERR_NO_OS',
    'missing operating system information for <domain>: add <os> with <type>hvm</type> and <kernel> (<domain> at line 1)'],
  ['os type missing', domain({ os: '<kernel>/vmlinux</kernel>' }), 'VIR_ERR_XML_ERROR',
    "XML error: <os> needs a <type>: write <type arch='x86_64'>hvm</type> (<os> at line 5)"],
  ['os type xen', domain({ os: '<type>xen</type><kernel>/vmlinux</kernel>' }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: OS type 'xen' is not supported, only 'hvm' (<type> at line 5)"],
  ['os arch i686', domain({ os: "<type arch='i686'>hvm</type><kernel>/vmlinux</kernel>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: architecture 'i686' is not supported, only 'x86_64' and 'aarch64' (<type> at line 5)"],
  ['kernel missing', domain({ os: '<type>hvm</type>' }), 'VIR_ERR_NO_KERNEL',
    'missing kernel information: Firecracker boots a kernel directly: add <kernel>/path/to/vmlinux</kernel> to <os> (<os> at line 5)'],
  ['kernel relative', domain({ os: '<type>hvm</type><kernel>vmlinux</kernel>' }), 'VIR_ERR_XML_ERROR',
    "XML error: kernel 'vmlinux' is not an absolute path: give the full path, the daemon's working directory is not yours (<kernel> at line 5)"],
  ['initrd relative', domain({ os: '<type>hvm</type><kernel>/vmlinux</kernel><initrd>./initrd.img</initrd>' }), 'VIR_ERR_XML_ERROR',
    "XML error: initrd './initrd.img' is not an absolute path: give the full path, the daemon's working directory is not yours (<initrd> at line 5)"],
  ['root naming no disk', domain({ os: '<type>hvm</type><kernel>/vmlinux</kernel><root>vdb</root>', devices: disk(vda) }),
    'VIR_ERR_XML_ERROR',
    "XML error: <root> names 'vdb' but no disk has target dev='vdb': give the target dev of the root disk, e.g. <root>vda</root> (<root> at line 5)"],
  ['os boot order', domain({ os: "<type>hvm</type><kernel>/vmlinux</kernel><boot dev='hd'/>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: <boot> in <os> is not supported by the firecracker driver (<boot> at line 5)'],
  ['os firmware', domain({ osLine: "<os firmware='efi'><type>hvm</type><kernel>/vmlinux</kernel></os>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: attribute 'firmware' of <os> is not supported by the firecracker driver (<os> at line 5)"],

  // lifecycle and clock
  ['on_reboot preserve', domain({ top: '<on_reboot>preserve</on_reboot>' }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: <on_reboot> action 'preserve' is not supported: Firecracker can only 'destroy' or 'restart' (<on_reboot> at line 4)"],
  ['on_poweroff rename-restart', domain({ top: '<on_poweroff>rename-restart</on_poweroff>' }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: <on_poweroff> action 'rename-restart' is not supported: Firecracker can only 'destroy' or 'restart' (<on_poweroff> at line 4)"],
  ['on_crash coredump-destroy', domain({ top: '<on_crash>coredump-destroy</on_crash>' }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: <on_crash> action 'coredump-destroy' is not supported: Firecracker can only 'destroy' or 'restart' (<on_crash> at line 4)"],
  ['on_poweroff coredump-restart is not a poweroff action', domain({ top: '<on_poweroff>coredump-restart</on_poweroff>' }),
    'VIR_ERR_XML_ERROR',
    "XML error: unknown <on_poweroff> action 'coredump-restart', expected 'destroy' or 'restart' (<on_poweroff> at line 4)"],
  ['on_crash unknown', domain({ top: '<on_crash>explode</on_crash>' }), 'VIR_ERR_XML_ERROR',
    "XML error: unknown <on_crash> action 'explode', expected 'destroy' or 'restart' (<on_crash> at line 4)"],
  ['clock localtime', domain({ top: "<clock offset='localtime'/>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: clock offset 'localtime' is not supported, only 'utc': a Firecracker guest's clock runs in UTC (<clock> at line 4)"],
  ['clock offset unknown', domain({ top: "<clock offset='mars'/>" }), 'VIR_ERR_XML_ERROR',
    "XML error: invalid value for attribute 'offset' in element 'clock': 'mars', expected 'utc' (<clock> at line 4)"],
  ['clock timer', domain({ top: "<clock offset='utc'><timer name='rtc' tickpolicy='catchup'/></clock>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: <timer> in <clock> is not supported by the firecracker driver (<timer> at line 4)'],
  ['clock adjustment', domain({ top: "<clock offset='utc' adjustment='reset'/>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: attribute 'adjustment' of <clock> is not supported by the firecracker driver (<clock> at line 4)"],

  // what libvirt does not know
  ['unknown element with validate', domain({ top: '<frobnicate/>' }), 'VIR_ERR_XML_INVALID_SCHEMA',
    'XML document failed to validate against schema: element <frobnicate> is not allowed in <domain> (<frobnicate> at line 4)', true],
  ['unknown attribute with validate', domain({ memory: "<memory unit='MiB' shiny='yes'>256</memory>" }), 'VIR_ERR_XML_INVALID_SCHEMA',
    "XML document failed to validate against schema: attribute 'shiny' is not allowed in <memory> (<memory> at line 3)", true],
  ['unknown attribute on <name> with validate', domain({ name: "<name lang='en'>t</name>" }), 'VIR_ERR_XML_INVALID_SCHEMA',
    "XML document failed to validate against schema: attribute 'lang' is not allowed in <name> (<name> at line 2)", true],
  ['unknown attribute on <kernel> with validate', domain({ os: "<type>hvm</type><kernel x='1'>/vmlinux</kernel>" }),
    'VIR_ERR_XML_INVALID_SCHEMA',
    "XML document failed to validate against schema: attribute 'x' is not allowed in <kernel> (<kernel> at line 5)", true],
  ['unknown device with validate', domain({ devices: '<gizmo/>' }), 'VIR_ERR_XML_INVALID_SCHEMA',
    'XML document failed to validate against schema: element <gizmo> is not allowed in <devices> (<gizmo> at line 6)', true],
  ['foreign namespace with validate', domain({ after: "<q:commandline xmlns:q='http://libvirt.org/schemas/domain/qemu/1.0'/>" }),
    'VIR_ERR_XML_INVALID_SCHEMA',
    'XML document failed to validate against schema: element <q:commandline> is not allowed in <domain> (<q:commandline> at line 7)', true],

  // <devices>: emulator and disks
  ['emulator relative', domain({ devices: '<emulator>firecracker</emulator>' }), 'VIR_ERR_XML_ERROR',
    "XML error: emulator 'firecracker' is not an absolute path: give the full path, the daemon's working directory is not yours (<emulator> at line 6)"],
  ['emulator twice', domain({ devices: '<emulator>/a</emulator><emulator>/b</emulator>' }), 'VIR_ERR_XML_ERROR',
    'XML error: <devices> may contain only one <emulator> (<emulator> at line 6)'],
  ['disk type block', domain({ devices: disk("<source dev='/dev/sdb'/><target dev='vdb'/>", "type='block' device='disk'") }),
    'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: disk 'vdb': disk type 'block' is not supported, only 'file' (<disk> at line 6)"],
  ['disk type network', domain({ devices: disk("<source protocol='nbd' name='x'/><target dev='vdb'/>", "type='network'") }),
    'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: disk 'vdb': disk type 'network' is not supported, only 'file' (<disk> at line 6)"],
  ['disk type unknown', domain({ devices: disk(vda, "type='magnetic'") }), 'VIR_ERR_XML_ERROR',
    "XML error: invalid value for attribute 'type' in element 'disk': 'magnetic', expected one of 'file', 'block', 'dir', 'network', 'volume', 'nvme', 'vhostuser' (<disk> at line 6)"],
  ['disk device cdrom', domain({ devices: disk("<source file='/a.iso'/><target dev='vdb'/>", "type='file' device='cdrom'") }),
    'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: disk 'vdb': disk device 'cdrom' is not supported, only 'disk' (<disk> at line 6)"],
  ['disk device floppy', domain({ devices: disk("<source file='/a.img'/><target dev='fda'/>", "device='floppy'") }),
    'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: disk 'fda': disk device 'floppy' is not supported, only 'disk' (<disk> at line 6)"],
  ['disk device lun', domain({ devices: disk("<source file='/a.img'/><target dev='sda'/>", "device='lun'") }),
    'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: disk 'sda': disk device 'lun' is not supported, only 'disk' (<disk> at line 6)"],
  ['disk bus sata', domain({ devices: disk("<source file='/a.img'/><target dev='sda' bus='sata'/>") }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: disk 'sda': disk bus 'sata' is not supported, only 'virtio' (<target> at line 6)"],
  ['disk bus inferred scsi', domain({ devices: disk("<source file='/a.img'/><target dev='sda'/>") }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: disk 'sda': disk bus 'scsi' is not supported, only 'virtio' (<target> at line 6)"],
  ['disk bus not inferable', domain({ devices: disk("<source file='/a.img'/><target dev='xyz'/>") }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: disk 'xyz': cannot tell the bus from target dev 'xyz': name virtio disks vda, vdb, … (<target> at line 6)"],
  ['disk target not a virtio name', domain({ devices: disk("<source file='/a.img'/><target dev='vd1'/>") }), 'VIR_ERR_XML_ERROR',
    "XML error: disk target dev 'vd1' is not a virtio disk name: use vda, vdb, … vdz, vdaa, … (<target> at line 6)"],
  ['disk target hda on virtio', domain({ devices: disk("<source file='/a.img'/><target dev='hda' bus='virtio'/>") }), 'VIR_ERR_XML_ERROR',
    "XML error: disk target dev 'hda' is not a virtio disk name: use vda, vdb, … vdz, vdaa, … (<target> at line 6)"],
  ['disk without source', domain({ devices: disk("<target dev='vda'/>") }), 'VIR_ERR_NO_SOURCE',
    "missing source information for device vda: add <source file='/path/to/disk.img'/> to the disk (<disk> at line 6)"],
  ['disk source without file', domain({ devices: disk("<source/><target dev='vda'/>") }), 'VIR_ERR_NO_SOURCE',
    "missing source information for device vda: add <source file='/path/to/disk.img'/> to the disk (<source> at line 6)"],
  ['disk without target', domain({ devices: disk("<source file='/a.img'/>") }), 'VIR_ERR_NO_TARGET',
    "missing target information for device /a.img: add <target dev='vda' bus='virtio'/> (<disk> at line 6)"],
  ['disk source relative', domain({ devices: disk("<source file='rootfs.ext4'/><target dev='vda'/>") }), 'VIR_ERR_XML_ERROR',
    "XML error: disk 'vda': source file 'rootfs.ext4' is not an absolute path: give the full path, the daemon's working directory is not yours (<source> at line 6)"],
  ['disk qcow2', domain({ devices: disk(`<driver name='qemu' type='qcow2'/>${vda}`) }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: disk 'vda': driver type 'qcow2' is not supported: Firecracker takes raw images only (convert with qemu-img convert -O raw) (<driver> at line 6)"],
  ['disk cache unknown', domain({ devices: disk(`<driver cache='sometimes'/>${vda}`) }), 'VIR_ERR_XML_ERROR',
    "XML error: invalid value for attribute 'cache' in element 'driver': 'sometimes', expected one of 'default', 'none', 'writethrough', 'writeback', 'directsync', 'unsafe' (<driver> at line 6)"],
  ['disk io unknown', domain({ devices: disk(`<driver io='fast'/>${vda}`) }), 'VIR_ERR_XML_ERROR',
    "XML error: invalid value for attribute 'io' in element 'driver': 'fast', expected one of 'threads', 'native', 'io_uring' (<driver> at line 6)"],
  ['disk driver discard', domain({ devices: disk(`<driver discard='unmap'/>${vda}`) }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: attribute 'discard' of <driver> is not supported by the firecracker driver (<driver> at line 6)"],
  ['iotune read_bytes_sec', domain({ devices: disk(`${vda}<iotune><read_bytes_sec>1000</read_bytes_sec></iotune>`) }),
    'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: disk 'vda': <read_bytes_sec> is not supported: Firecracker limits reads and writes together, use <total_bytes_sec> (<read_bytes_sec> at line 6)"],
  ['iotune write_iops_sec_max', domain({ devices: disk(`${vda}<iotune><write_iops_sec_max>10</write_iops_sec_max></iotune>`) }),
    'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: disk 'vda': <write_iops_sec_max> is not supported: Firecracker limits reads and writes together, use <total_iops_sec_max> (<write_iops_sec_max> at line 6)"],
  ['iotune size_iops_sec', domain({ devices: disk(`${vda}<iotune><size_iops_sec>4096</size_iops_sec></iotune>`) }),
    'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: <size_iops_sec> in <iotune> is not supported by the firecracker driver (<size_iops_sec> at line 6)'],
  ['iotune group_name', domain({ devices: disk(`${vda}<iotune><group_name>g</group_name></iotune>`) }),
    'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: <group_name> in <iotune> is not supported by the firecracker driver (<group_name> at line 6)'],
  ['iotune not a number', domain({ devices: disk(`${vda}<iotune><total_bytes_sec>fast</total_bytes_sec></iotune>`) }),
    'VIR_ERR_XML_ERROR',
    "XML error: invalid value 'fast' in <total_bytes_sec>: expected a non-negative integer no larger than 9007199254740991 (<total_bytes_sec> at line 6)"],
  ['iotune limit twice', domain({ devices: disk(`${vda}<iotune><total_iops_sec>1</total_iops_sec><total_iops_sec>2</total_iops_sec></iotune>`) }),
    'VIR_ERR_XML_ERROR',
    "XML error: disk 'vda': <iotune> may contain only one <total_iops_sec> (<total_iops_sec> at line 6)"],
  ['disk targets duplicated', domain({ devices: disk("<source file='/a.img'/><target dev='vda'/>") + disk("<source file='/b.img'/><target dev='vda'/>") }),
    'VIR_ERR_XML_ERROR',
    "XML error: target 'vda' duplicated for disk sources '/a.img' and '/b.img' (<target> at line 6)"],
  ['disk shareable', domain({ devices: disk(`${vda}<shareable/>`) }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: <shareable> in <disk> is not supported by the firecracker driver (<shareable> at line 6)'],
  ['disk serial', domain({ devices: disk(`${vda}<serial>WD-123</serial>`) }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: <serial> in <disk> is not supported by the firecracker driver (<serial> at line 6)'],
  ['disk boot order', domain({ devices: disk(`${vda}<boot order='1'/>`) }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: <boot> in <disk> is not supported by the firecracker driver (<boot> at line 6)'],
  ['disk target twice', domain({ devices: disk(`${vda}<target dev='vdb'/>`) }), 'VIR_ERR_XML_ERROR',
    'XML error: <disk> may contain only one <target> (<target> at line 6)'],

  // serial and console
  ['serial type file', domain({ devices: "<serial type='file'><source path='/tmp/x'/></serial>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: serial type 'file' is not supported, only 'pty' (<serial> at line 6)"],
  ['serial type tcp', domain({ devices: "<serial type='tcp'><source mode='bind' host='::' service='4555'/></serial>" }),
    'VIR_ERR_CONFIG_UNSUPPORTED', "unsupported configuration: serial type 'tcp' is not supported, only 'pty' (<serial> at line 6)"],
  ['serial type unknown', domain({ devices: "<serial type='carrier-pigeon'/>" }), 'VIR_ERR_XML_ERROR',
    "XML error: invalid value for attribute 'type' in element 'serial': 'carrier-pigeon', expected one of 'dev', 'file', 'pipe', 'unix', 'tcp', 'udp', 'null', 'stdio', 'vc', 'pty', 'spicevmc', 'spiceport', 'nmdm', 'qemu-vdagent', 'dbus' (<serial> at line 6)"],
  ['two serials', domain({ devices: "<serial type='pty'/><serial type='pty'><target port='1'/></serial>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: serial port 1 is not supported, only port 0: Firecracker has one serial port (<target> at line 6)'],
  ['two serials on port 0', domain({ devices: "<serial type='pty'/><serial type='pty'/>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: only one <serial> is supported: Firecracker has one serial port (<serial> at line 6)'],
  ['serial port 1', domain({ devices: "<serial type='pty'><target port='1'/></serial>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: serial port 1 is not supported, only port 0: Firecracker has one serial port (<target> at line 6)'],
  ['serial target type', domain({ devices: "<serial type='pty'><target type='isa-serial' port='0'/></serial>" }),
    'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: attribute 'type' of <target> is not supported by the firecracker driver (<target> at line 6)"],
  ['console virtio', domain({ devices: "<console type='pty'><target type='virtio' port='0'/></console>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: console target type 'virtio' is not supported: Firecracker's console is its serial port, use <target type='serial'/> (<target> at line 6)"],
  ['console type file', domain({ devices: "<console type='file'><source path='/tmp/x'/></console>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: console type 'file' is not supported, only 'pty' (<console> at line 6)"],
  ['two consoles', domain({ devices: "<console type='pty'/><console type='pty'/>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: only one <console> is supported: Firecracker has one serial port (<console> at line 6)'],
  ['console port 1', domain({ devices: "<console type='pty'><target type='serial' port='1'/></console>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: console port 1 is not supported, only port 0: Firecracker has one serial port (<target> at line 6)'],
  ['serial log', domain({ devices: "<serial type='pty'><log file='/var/log/s.log'/></serial>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: <log> in <serial> is not supported by the firecracker driver (<log> at line 6)'],

  // interfaces
  ['interface type network', domain({ devices: "<interface type='network'><source network='default'/></interface>" }),
    'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: interface type 'network' is not supported, only 'ethernet' and 'bridge' (<interface> at line 6)"],
  ['interface type user', domain({ devices: "<interface type='user'/>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: interface type 'user' is not supported, only 'ethernet' and 'bridge' (<interface> at line 6)"],
  ['interface type vhostuser', domain({ devices: "<interface type='vhostuser'/>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: interface type 'vhostuser' is not supported, only 'ethernet' and 'bridge' (<interface> at line 6)"],
  ['interface without type', domain({ devices: "<interface><target dev='tap0'/></interface>" }), 'VIR_ERR_XML_ERROR',
    "XML error: missing required attribute 'type' in element 'interface' (<interface> at line 6)"],
  ['ethernet without target', domain({ devices: "<interface type='ethernet'><guest dev='eth0'/></interface>" }), 'VIR_ERR_XML_ERROR',
    "XML error: interface type='ethernet' needs <target dev='TAP'/> naming its existing tap device (<interface> at line 6)"],
  ['target dev too long', domain({ devices: tap('abcdefghijklmnop') }), 'VIR_ERR_XML_ERROR',
    "XML error: interface 1 (ethernet): target dev 'abcdefghijklmnop' is too long: interface names have at most 15 bytes (<target> at line 6)"],
  ['target dev with a slash', domain({ devices: tap('tap/0') }), 'VIR_ERR_XML_ERROR',
    "XML error: interface 1 (ethernet): target dev 'tap/0' may not contain '/', ':', whitespace or control characters (<target> at line 6)"],
  ['target dev with a space', domain({ devices: tap('tap 0') }), 'VIR_ERR_XML_ERROR',
    "XML error: interface 1 (ethernet): target dev 'tap 0' may not contain '/', ':', whitespace or control characters (<target> at line 6)"],
  ['mac malformed', domain({ devices: tap('tap0', "<mac address='zz:00:00:00:00:00'/>") }), 'VIR_ERR_XML_ERROR',
    "XML error: unable to parse mac address 'zz:00:00:00:00:00' (<mac> at line 6)"],
  ['mac multicast', domain({ devices: tap('tap0', "<mac address='01:00:5E:00:00:01'/>") }), 'VIR_ERR_XML_ERROR',
    "XML error: expected unicast mac address, found multicast '01:00:5e:00:00:01' (<mac> at line 6)"],
  ['mac duplicated', domain({ devices: tap('tap0', "<mac address='52:54:00:00:00:01'/>") + tap('tap1', "<mac address='52:54:00:00:00:01'/>") }),
    'VIR_ERR_XML_ERROR',
    "XML error: interface 2 (ethernet): mac address '52:54:00:00:00:01' is already used by another interface (<mac> at line 6)"],
  ['target dev duplicated', domain({ devices: tap('tap0') + tap('tap0') }), 'VIR_ERR_XML_ERROR',
    "XML error: interface 2 (ethernet): target dev 'tap0' is already used by another interface (<target> at line 6)"],
  ['guest dev duplicated', domain({ devices: tap('tap0', "<guest dev='eth0'/>") + tap('tap1', "<guest dev='eth0'/>") }),
    'VIR_ERR_XML_ERROR',
    "XML error: interface 2 (ethernet): guest dev 'eth0' is already used by another interface (<guest> at line 6)"],
  ['model e1000', domain({ devices: tap('tap0', "<model type='e1000'/>") }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: interface model 'e1000' is not supported, only 'virtio' (<model> at line 6)"],
  ['bandwidth floor', domain({ devices: tap('tap0', "<bandwidth><inbound average='100' floor='50'/></bandwidth>") }),
    'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: <inbound floor> is not supported: Firecracker's rate limiters cap traffic, they cannot guarantee a minimum (<inbound> at line 6)"],
  ['bandwidth without average', domain({ devices: tap('tap0', "<bandwidth><outbound peak='100'/></bandwidth>") }),
    'VIR_ERR_XML_ERROR',
    "XML error: missing required attribute 'average' in element 'outbound' (<outbound> at line 6)"],
  ['bandwidth average 0', domain({ devices: tap('tap0', "<bandwidth><inbound average='0'/></bandwidth>") }), 'VIR_ERR_XML_ERROR',
    'XML error: interface 1 (ethernet): inbound average must be at least 1 KiB/s (leave out <inbound> for no limit) (<inbound> at line 6)'],
  ['bridge without source', domain({ devices: "<interface type='bridge'><target dev='tap0'/></interface>" }), 'VIR_ERR_XML_ERROR',
    "XML error: interface type='bridge' needs <source bridge='BRIDGE'/> naming the host bridge (<interface> at line 6)"],
  ['bridge name invalid', domain({ devices: "<interface type='bridge'><source bridge='br 0'/></interface>" }), 'VIR_ERR_XML_ERROR',
    "XML error: interface 1 (bridge): source bridge 'br 0' may not contain '/', ':', whitespace or control characters (<source> at line 6)"],
  ['interface mtu', domain({ devices: tap('tap0', "<mtu size='9000'/>") }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: <mtu> in <interface> is not supported by the firecracker driver (<mtu> at line 6)'],
  ['interface source of ethernet', domain({ devices: tap('tap0', "<source><ip address='192.168.0.1'/></source>") }),
    'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: <source> in <interface> is not supported by the firecracker driver (<source> at line 6)'],

  // memballoon, vsock, rng
  ['memballoon xen', domain({ devices: "<memballoon model='xen'/>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: memballoon model 'xen' is not supported, only 'virtio' or 'none' (<memballoon> at line 6)"],
  ['memballoon without model', domain({ devices: '<memballoon/>' }), 'VIR_ERR_XML_ERROR',
    "XML error: missing required attribute 'model' in element 'memballoon': use 'virtio' or 'none' (<memballoon> at line 6)"],
  ['memballoon none with stats', domain({ devices: "<memballoon model='none'><stats period='5'/></memballoon>" }), 'VIR_ERR_XML_ERROR',
    "XML error: <memballoon model='none'> cannot have autodeflate or <stats>: there is no balloon (<memballoon> at line 6)"],
  ['memballoon free page reporting', domain({ devices: "<memballoon model='virtio' freePageReporting='on'/>" }),
    'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: attribute 'freePageReporting' of <memballoon> is not supported by the firecracker driver (<memballoon> at line 6)"],
  ['memballoon twice', domain({ devices: "<memballoon model='virtio'/><memballoon model='virtio'/>" }), 'VIR_ERR_XML_ERROR',
    'XML error: <devices> may contain only one <memballoon> (<memballoon> at line 6)'],
  ['vsock cid 2', domain({ devices: "<vsock model='virtio'><cid auto='no' address='2'/></vsock>" }), 'VIR_ERR_XML_ERROR',
    'XML error: vsock cid 2 is reserved: guest CIDs start at 3 (0-2 are the hypervisor, local and host) (<cid> at line 6)'],
  ['vsock auto no without address', domain({ devices: "<vsock model='virtio'><cid auto='no'/></vsock>" }), 'VIR_ERR_XML_ERROR',
    "XML error: <cid auto='no'> needs an address: write <cid auto='no' address='3'/> or auto='yes' (<cid> at line 6)"],
  ['vsock transitional', domain({ devices: "<vsock model='virtio-transitional'/>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: vsock model 'virtio-transitional' is not supported, only 'virtio' (<vsock> at line 6)"],
  ['vsock twice', domain({ devices: '<vsock/><vsock/>' }), 'VIR_ERR_XML_ERROR',
    'XML error: <devices> may contain only one <vsock> (<vsock> at line 6)'],
  ['rng egd', domain({ devices: "<rng model='virtio'><backend model='egd' type='tcp'/></rng>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: rng backend 'egd' is not supported: Firecracker's entropy device draws from the host kernel, use model='random' or 'builtin' (<backend> at line 6)"],
  ['rng hwrng', domain({ devices: "<rng model='virtio'><backend model='random'>/dev/hwrng</backend></rng>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: rng backend '/dev/hwrng' is not supported: Firecracker's entropy device draws from the host kernel, use /dev/urandom or /dev/random (<backend> at line 6)"],
  ['rng transitional', domain({ devices: "<rng model='virtio-transitional'><backend model='builtin'/></rng>" }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: rng model 'virtio-transitional' is not supported, only 'virtio' (<rng> at line 6)"],
  ['rng without backend', domain({ devices: "<rng model='virtio'/>" }), 'VIR_ERR_XML_ERROR',
    "XML error: <rng> needs a <backend>: write <backend model='random'>/dev/urandom</backend> (<rng> at line 6)"],
  ['rng rate without bytes', domain({ devices: "<rng model='virtio'><backend model='builtin'/><rate period='1000'/></rng>" }),
    'VIR_ERR_XML_ERROR', "XML error: missing required attribute 'bytes' in element 'rate' (<rate> at line 6)"],
  ['two rngs', domain({ devices: "<rng model='virtio'><backend model='builtin'/></rng><rng model='virtio'><backend model='builtin'/></rng>" }),
    'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: only one <rng> is supported: Firecracker has one entropy device (<rng> at line 6)'],

  // <fc:mmds>
  ['mmds without interfaces', domain({ after: '<fc:mmds/>' }), 'VIR_ERR_XML_ERROR',
    "XML error: <fc:mmds> needs at least one <fc:interface dev='…'/> naming the <guest dev> of an interface that may reach it (<fc:mmds> at line 7)"],
  ['mmds naming no interface', domain({ devices: tap('tap0', "<guest dev='eth0'/>"), after: "<fc:mmds><fc:interface dev='eth1'/></fc:mmds>" }),
    'VIR_ERR_XML_ERROR',
    "XML error: MMDS interface 'eth1' does not match the <guest dev> of any interface (<fc:interface> at line 7)"],
  ['mmds interface listed twice',
    domain({ devices: tap('tap0', "<guest dev='eth0'/>"), after: "<fc:mmds><fc:interface dev='eth0'/><fc:interface dev='eth0'/></fc:mmds>" }),
    'VIR_ERR_XML_ERROR', "XML error: MMDS interface 'eth0' is listed twice (<fc:interface> at line 7)"],
  ['mmds interface without dev', domain({ after: '<fc:mmds><fc:interface/></fc:mmds>' }), 'VIR_ERR_XML_ERROR',
    "XML error: missing required attribute 'dev' in element 'fc:interface' (<fc:interface> at line 7)"],
  ['mmds data not JSON',
    domain({ devices: tap('tap0', "<guest dev='eth0'/>"), after: "<fc:mmds><fc:interface dev='eth0'/><fc:data>{nope</fc:data></fc:mmds>" }),
    'VIR_ERR_XML_ERROR', /^XML error: MMDS data is not valid JSON: .+ \(<fc:data> at line 7\)$/],
  ['mmds address not IPv4',
    domain({ devices: tap('tap0', "<guest dev='eth0'/>"), after: "<fc:mmds address='169.254.1'><fc:interface dev='eth0'/></fc:mmds>" }),
    'VIR_ERR_XML_ERROR', "XML error: MMDS address '169.254.1' is not an IPv4 address (<fc:mmds> at line 7)"],
  ['mmds address not link-local',
    domain({ devices: tap('tap0', "<guest dev='eth0'/>"), after: "<fc:mmds address='10.0.0.1'><fc:interface dev='eth0'/></fc:mmds>" }),
    'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: MMDS address '10.0.0.1' is not link-local: Firecracker takes 169.254.1.0 to 169.254.254.255 (<fc:mmds> at line 7)"],
  ['mmds version V3', domain({ after: "<fc:mmds version='V3'/>" }), 'VIR_ERR_XML_ERROR',
    "XML error: invalid value for attribute 'version' in element 'fc:mmds': 'V3', expected one of 'V1', 'V2' (<fc:mmds> at line 7)"],
  ['mmds twice', domain({ top: '<fc:mmds/>', after: '<fc:mmds/>' }), 'VIR_ERR_XML_ERROR',
    'XML error: <domain> may contain only one <fc:mmds> (<fc:mmds> at line 7)'],

  // malformed XML
  ['unclosed tag', domain({ devices: '<disk>' }), 'VIR_ERR_XML_ERROR',
    'XML error: malformed XML at line 6, column 18: unexpected close tag </devices>: <disk> opened at line 6 is still open'],
  ['unbound namespace prefix', domain({ top: '<foo:bar/>' }), 'VIR_ERR_XML_ERROR',
    'XML error: malformed XML at line 4, column 3: unbound namespace prefix: "foo"'],
  ['unbound attribute prefix', domain({ top: "<metadata><x:a xmlns:x='urn:x' y:b='1'/></metadata>" }), 'VIR_ERR_XML_ERROR',
    'XML error: malformed XML at line 4, column 13: unbound namespace prefix: "y"'],
  ['attributes equal once namespaces are resolved',
    domain({ top: "<metadata><a:x xmlns:a='urn:1' xmlns:b='urn:1' a:y='1' b:y='2'/></metadata>" }), 'VIR_ERR_XML_ERROR',
    'XML error: malformed XML at line 4, column 13: duplicate attribute: {urn:1}y'],
  ['prefix undeclared', domain({ top: "<metadata><a:x xmlns:a=''/></metadata>" }), 'VIR_ERR_XML_ERROR',
    'XML error: malformed XML at line 4, column 13: invalid attempt to undefine prefix "a" in XML 1.0'],
  ['malformed qualified name', domain({ top: '<a:b:c/>' }), 'VIR_ERR_XML_ERROR',
    'XML error: malformed XML at line 4, column 3: malformed name: a:b:c'],
  ['xmlns prefix declared', domain({ top: "<x xmlns:xmlns='urn:x'/>" }), 'VIR_ERR_XML_ERROR',
    'XML error: malformed XML at line 4, column 3: the xmlns prefix may not be declared'],
  ['nesting deeper than libxml2 allows', `<domain type='firecracker'>${'<a>'.repeat(300)}${'</a>'.repeat(300)}</domain>`,
    'VIR_ERR_XML_ERROR', 'XML error: malformed XML at line 1, column 793: elements are nested deeper than 256 levels'],
];

// libvirt elements Firecracker cannot honour, at the top level and among devices.
const topLevel = [
  'features', 'cpu', 'cputune', 'numatune', 'memoryBacking', 'memtune', 'blkiotune', 'iothreads', 'sysinfo', 'seclabel',
  'maxMemory', 'resource', 'idmap', 'pm', 'perf', 'launchSecurity', 'keywrap', 'genid', 'vcpus', 'iothreadids',
  'bootloader', 'on_lockfailure', 'throttlegroups',
];
for (const name of topLevel) {
  cases.push([`top-level <${name}>`, domain({ top: `<${name}/>` }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    new RegExp(`^unsupported configuration: <${name}> is not supported by the firecracker driver(: [^()]+)? \\(<${name}> at line 4\\)$`)]);
}
const devices = [
  'graphics', 'video', 'sound', 'audio', 'controller', 'hostdev', 'filesystem', 'channel', 'parallel', 'watchdog', 'tpm',
  'input', 'hub', 'redirdev', 'redirfilter', 'smartcard', 'shmem', 'memory', 'iommu', 'panic', 'crypto', 'lease', 'nvram',
  'pstore',
];
for (const name of devices) {
  cases.push([`device <${name}>`, domain({ devices: `<${name}/>` }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    new RegExp(`^unsupported configuration: <${name}> in <devices> is not supported by the firecracker driver(: [^()]+)? \\(<${name}> at line 6\\)$`)]);
}

for (const [name, xml, code, message, validate] of cases) {
  test(`refused: ${name}`, () => {
    assert.throws(
      () => parseDomainXML(xml, { randomBytes: fixedRandomBytes(), validate: validate === true }),
      (error: unknown) => {
        assert.ok(error instanceof VirError, `expected a VirError, got ${String(error)}`);
        assert.equal(error.codeName, code, error.message);
        if (typeof message === 'string') assert.equal(error.message, message);
        else assert.match(error.message, message);
        return true;
      },
    );
  });
}

test('what is refused under validate is accepted without it, as libvirt ignores what it does not know', () => {
  for (const [name, xml, , , validate] of cases) {
    if (validate !== true) continue;
    assert.doesNotThrow(() => parseDomainXML(xml, { randomBytes: fixedRandomBytes() }), name);
  }
});
