// Runs the fcvirt CLI as its own process (as a user would: with an embed URI each invocation
// is a new process and the state on disk is the truth), optionally inside a network namespace.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './paths.js';

export const fcvirtScript = path.join(repoRoot, 'dist', 'src', 'cli', 'fcvirt.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  uri: string;
  netns?: string;
  input?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export async function fcvirt(args: string[], options: CliOptions): Promise<CliResult> {
  const command = [process.execPath, fcvirtScript, '-c', options.uri, ...args];
  const argv = options.netns === undefined ? command : ['ip', 'netns', 'exec', options.netns, ...command];
  const [file = '', ...rest] = argv;
  const child = spawn(file, rest, { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', (exitCode) => { resolve(exitCode); }));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
