/** The ssh_config lines that reach a host through the agent: a ProxyCommand of OpenBSD nc alone, no shell script, no Node. @module */
import { portSocketPrefix } from './port-sockets.js';

/**
 * `Host HOST` and a ProxyCommand relaying with `nc -N -U` (netcat-openbsd; -N passes ssh's EOF on as
 * a half-close) to the agent's socket for this host and ssh's port: the path is the request, so no
 * line is sent and nothing runs but ssh's shell and nc. The host is in the path as a hash of the
 * profile's name as written (the caller allows letters, digits and `._:-` only), not ssh's `%h`,
 * which ssh lowercases and which may be a wildcard's match. %p is a number ssh checked, and the
 * only %-token: a % in the socket path is written %%.
 */
export function sshConfigSnippet(host: string, socketPath: string): string {
  const prefix = _shellWord(portSocketPrefix(socketPath, host)).replaceAll('%', '%%');
  return [`Host ${host}`, `  ProxyCommand nc -N -U ${prefix}%p`, ''].join('\n');
}

/** A word for sh: as it is when plainly safe, else single-quoted (the port follows the closing quote). */
function _shellWord(text: string): string {
  return /^[\w@+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
