import type { CliCommand } from '../command.js';
import { autostart } from './autostart.js';
import { consoleVerb } from './console.js';
import { create } from './create.js';
import { define } from './define.js';
import { destroy } from './destroy.js';
import { domid } from './domid.js';
import { dominfo } from './dominfo.js';
import { dommemstat } from './dommemstat.js';
import { domname } from './domname.js';
import { domstate } from './domstate.js';
import { domuuid } from './domuuid.js';
import { dumpxml } from './dumpxml.js';
import { list } from './list.js';
import { maxvcpus } from './maxvcpus.js';
import { reboot } from './reboot.js';
import { resume } from './resume.js';
import { setmaxmem, setmem } from './setmem.js';
import { shutdown } from './shutdown.js';
import { planCommand } from './plan.js';
import { start } from './start.js';
import { suspend } from './suspend.js';
import { undefine } from './undefine.js';
import { validateCommand } from './validate.js';
import { vcpucount } from './vcpucount.js';
import { version } from './version.js';

/** Every verb of `fcvirt`, in the order `fcvirt help` lists them. */
export const commands: CliCommand[] = [
  define, undefine, start, create, shutdown, destroy, reboot, suspend, resume,
  list, dominfo, domstate, dumpxml, autostart, consoleVerb, domid, domuuid, domname,
  setmem, setmaxmem, dommemstat, vcpucount, maxvcpus, version, validateCommand, planCommand,
];
