import type { CliCommand } from '../command.js';
import { planCommand } from './plan.js';
import { validateCommand } from './validate.js';

/** Every verb of `fcvirt`, in the order `fcvirt help` lists them. */
export const commands: CliCommand[] = [validateCommand, planCommand];
