// Rust's std::io::Error as Firecracker prints it: Display "No such file or directory (os
// error 2)", Debug `Os { code: 2, kind: NotFound, message: "No such file or directory" }`.

interface Errno {
  code: number;
  kind: string;
  message: string;
}

const ERRNO: Record<string, Errno> = {
  EPERM: { code: 1, kind: 'PermissionDenied', message: 'Operation not permitted' },
  ENOENT: { code: 2, kind: 'NotFound', message: 'No such file or directory' },
  EIO: { code: 5, kind: 'Uncategorized', message: 'Input/output error' },
  ENXIO: { code: 6, kind: 'Uncategorized', message: 'No such device or address' },
  EBADF: { code: 9, kind: 'Uncategorized', message: 'Bad file descriptor' },
  EAGAIN: { code: 11, kind: 'WouldBlock', message: 'Resource temporarily unavailable' },
  EACCES: { code: 13, kind: 'PermissionDenied', message: 'Permission denied' },
  EBUSY: { code: 16, kind: 'ResourceBusy', message: 'Device or resource busy' },
  EEXIST: { code: 17, kind: 'AlreadyExists', message: 'File exists' },
  ENODEV: { code: 19, kind: 'Uncategorized', message: 'No such device' },
  ENOTDIR: { code: 20, kind: 'NotADirectory', message: 'Not a directory' },
  EISDIR: { code: 21, kind: 'IsADirectory', message: 'Is a directory' },
  EINVAL: { code: 22, kind: 'InvalidInput', message: 'Invalid argument' },
  ENOSPC: { code: 28, kind: 'StorageFull', message: 'No space left on device' },
  EROFS: { code: 30, kind: 'ReadOnlyFilesystem', message: 'Read-only file system' },
  ENAMETOOLONG: { code: 36, kind: 'InvalidFilename', message: 'File name too long' },
  ELOOP: { code: 40, kind: 'FilesystemLoop', message: 'Too many levels of symbolic links' },
  EADDRINUSE: { code: 98, kind: 'AddrInUse', message: 'Address already in use' },
  ECONNREFUSED: { code: 111, kind: 'ConnectionRefused', message: 'Connection refused' },
};

export class OsError {
  constructor(
    readonly code: number,
    readonly kind: string,
    readonly message: string,
  ) {}

  static of(name: string): OsError {
    const e = ERRNO[name] ?? { code: 5, kind: 'Uncategorized', message: 'Input/output error' };
    return new OsError(e.code, e.kind, e.message);
  }

  /** From a Node.js error thrown by fs or net. */
  static from(err: unknown): OsError {
    const code = (err as { code?: unknown } | undefined)?.code;
    return OsError.of(typeof code === 'string' ? code : 'EIO');
  }

  display(): string {
    return `${this.message} (os error ${this.code})`;
  }

  debug(): string {
    return `Os { code: ${this.code}, kind: ${this.kind}, message: ${JSON.stringify(this.message)} }`;
  }
}

/** Runs an fs call and turns its failure into an OsError. */
export function tryOs<T>(fn: () => T): { ok: true; value: T } | { ok: false; error: OsError } {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    return { ok: false, error: OsError.from(e) };
  }
}
