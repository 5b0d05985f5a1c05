/** describeSystemError: a short, secret-free description of a system error for one-line messages. @module */

/** A short, secret-free description of a system error for one-line messages. */
export function describeSystemError(cause: unknown): string {
  const code = (cause as { code?: unknown } | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOTDIR':
      return 'a path component is not a directory';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EADDRINUSE':
      return 'address already in use';
    case 'EADDRNOTAVAIL':
      return 'address not available on this host';
    default:
      return cause instanceof Error ? cause.message : String(cause);
  }
}
