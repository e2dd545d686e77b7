// Firecracker's API transport: micro_http over a UNIX socket. HTTP/1.1, keep-alive, several
// connections, one request handled at a time, the same header lines and the same answers to
// requests it cannot parse (a 400 whose body is not even JSON, then the connection is gone).
import net from 'node:net';

export type Method = 'GET' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRequest {
  method: Method;
  /** The request target as sent (micro_http does not percent-decode). */
  uri: string;
  /** micro_http only has a body when Content-Length is above 0. */
  body: Buffer | undefined;
}

export interface ApiResponse {
  status: number;
  body?: string;
  deprecation?: boolean;
}

export interface Handled {
  response: ApiResponse;
  /** Runs once the response bytes are handed to the kernel (e.g. exiting the process). */
  afterWrite?: () => void;
}

export interface HttpServerOptions {
  /** Methods micro_http knows in this version (DELETE only since v1.16's micro_http). */
  methods: readonly Method[];
  payloadLimit: number;
  handle: (request: ApiRequest) => Handled;
}

class ParseError extends Error {}

export function encodeResponse(response: ApiResponse): Buffer {
  let head = `HTTP/1.1 ${response.status} \r\nServer: Firecracker API\r\nConnection: keep-alive\r\n`;
  if (response.deprecation === true) head += 'Deprecation: true\r\n';
  if (response.body !== undefined) {
    const body = Buffer.from(response.body);
    head += `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    return Buffer.concat([Buffer.from(head), body]);
  }
  return Buffer.from(head + '\r\n');
}

export class ApiHttpServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly options: HttpServerOptions) {
    this.server = net.createServer((socket) => { this.accept(socket); });
  }

  /** Binds and listens; rejects with the Node.js error (EADDRINUSE when the path exists). */
  listen(socketPath: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => { reject(err); };
      this.server.once('error', onError);
      this.server.listen(socketPath, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
  }

  /** Resolves once every answer written so far has left (or after `timeoutMs`). */
  drain(timeoutMs = 500): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve) => {
      const check = (): void => {
        const busy = [...this.sockets].some((s) => !s.destroyed && s.writableLength > 0);
        if (!busy || Date.now() > deadline) resolve();
        else setTimeout(check, 1);
      };
      check();
    });
  }

  close(): void {
    this.server.close();
    for (const s of this.sockets) s.destroy();
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    let buffer: Buffer = Buffer.alloc(0);
    let dead = false;
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {
      // The peer went away; micro_http just drops the connection.
    });
    socket.on('data', (chunk: Buffer) => {
      if (dead) return;
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      for (;;) {
        let parsed: { request: ApiRequest; rest: Buffer } | 'incomplete';
        try {
          parsed = this.parse(buffer);
        } catch (e) {
          if (!(e instanceof ParseError)) throw e;
          // micro_http answers the request it could not parse and drops the rest.
          dead = true;
          const body = `{ "error": "${e.message}\nAll previous unanswered requests will be dropped." }`;
          socket.end(encodeResponse({ status: 400, body }));
          return;
        }
        if (parsed === 'incomplete') return;
        buffer = parsed.rest;
        const { response, afterWrite } = this.options.handle(parsed.request);
        socket.write(encodeResponse(response), () => afterWrite?.());
      }
    });
  }

  private parse(buffer: Buffer): { request: ApiRequest; rest: Buffer } | 'incomplete' {
    const headEnd = buffer.indexOf('\r\n\r\n');
    const lineEnd = buffer.indexOf('\r\n');
    if (lineEnd === -1) {
      if (buffer.length > this.options.payloadLimit) throw new ParseError('Invalid request.');
      return 'incomplete';
    }
    const requestLine = buffer.subarray(0, lineEnd).toString('latin1');
    const parts = requestLine.split(' ');
    if (parts.length < 3) throw new ParseError('Invalid request.');
    const [method = '', uri = ''] = parts;
    const version = parts.slice(2).join(' ');
    if (!(this.options.methods as readonly string[]).includes(method)) throw new ParseError('Invalid HTTP Method: Unsupported HTTP method.');
    if (uri === '') throw new ParseError('Invalid URI: Empty URI not allowed.');
    if (version !== 'HTTP/1.0' && version !== 'HTTP/1.1') throw new ParseError('Invalid HTTP Version: Unsupported HTTP version.');
    if (headEnd === -1) return 'incomplete';
    let contentLength = 0;
    for (const line of buffer.subarray(lineEnd + 2, headEnd).toString('latin1').split('\r\n')) {
      if (line === '') continue;
      const colon = line.indexOf(':');
      if (colon === -1) throw new ParseError(`Invalid header. Reason: Header is incorrectly formatted. Key: ${line}`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') {
        if (!/^\d+$/.test(value)) throw new ParseError(`Invalid header. Reason: Invalid value. Key:Content-Length; Value:${value}`);
        contentLength = Number(value);
      } else if (name === 'transfer-encoding') {
        throw new ParseError(`Invalid header. Reason: Unsupported feature. Key: Transfer-Encoding; Value: ${value}`);
      }
    }
    if (contentLength > this.options.payloadLimit) {
      throw new ParseError(`Request payload with size ${contentLength} is larger than the limit of ${this.options.payloadLimit} allowed by server.`);
    }
    const bodyStart = headEnd + 4;
    if (buffer.length < bodyStart + contentLength) return 'incomplete';
    const body = contentLength > 0 ? Buffer.from(buffer.subarray(bodyStart, bodyStart + contentLength)) : undefined;
    return {
      request: { method: method as Method, uri: new TextDecoder().decode(Buffer.from(uri, 'latin1')), body },
      rest: buffer.subarray(bodyStart + contentLength),
    };
  }
}
