import type { CliCommand } from '../command.js';

/** Every verb of `fcvirt`, in the order `fcvirt help` lists them. */
export const commands: CliCommand[] = [];
