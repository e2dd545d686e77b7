// libvirt reports a failed system call with the C library's words for its errno
// ("Permission denied"), not Node's ("EACCES: permission denied, mkdir '/x'").

const strerrors: Partial<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ECONNREFUSED: 'Connection refused',
  ENOTSOCK: 'Socket operation on non-socket',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EEXIST: 'File exists',
  EROFS: 'Read-only file system',
  ENOSPC: 'No space left on device',
  EADDRINUSE: 'Address already in use',
  ENAMETOOLONG: 'File name too long',
};

/** strerror() of a Node system error, or its message when the errno is not one listed here. */
export function strerror(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (code === undefined ? undefined : strerrors[code]) ?? (error instanceof Error ? error.message : String(error));
}
