// Collects what a Readable delivers so a test can wait for a given text in it.
import type { Readable } from 'node:stream';
import { waitFor } from './wait.js';

export class Collector {
  private chunks: Buffer[] = [];
  ended = false;

  constructor(readonly stream: Readable) {
    stream.on('data', (chunk: Buffer) => this.chunks.push(chunk));
    stream.on('end', () => {
      this.ended = true;
    });
    stream.on('error', () => undefined);
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  get text(): string {
    return this.bytes.toString('utf8');
  }

  async waitForText(text: string, deadlineMs = 10_000): Promise<void> {
    await waitFor(() => this.text.includes(text), () => `"${text}" on the stream (got ${JSON.stringify(this.text.slice(-200))})`, deadlineMs);
  }

  async waitForEnd(deadlineMs = 10_000): Promise<void> {
    await waitFor(() => this.ended, 'the end of the stream', deadlineMs);
  }
}
