/** The ssh_config lines that reach a host through the agent: a ProxyCommand of sh, printf and OpenBSD nc, no Node. @module */

/**
 * `Host HOST` and a ProxyCommand sending `connect HOST %p` to the agent, then relaying with
 * `nc -N -U` (netcat-openbsd; -N passes ssh's EOF on as a half-close). The profile's host name is
 * written in literally (the caller allows letters, digits and `._:-` only), not ssh's `%h`: ssh
 * runs the line through the user's shell, and %h is whatever was typed or matched (a wildcard, or a
 * hostile name on an ssh without the CVE-2023-51385 fix); ssh also lowercases it, where the agent
 * matches the profile's name exactly. %p is a number ssh checked. ssh expands %-tokens before the
 * shell runs the line, so printf's own `%s` is written `%%s`; host, port and socket reach the inner
 * shell as arguments, never pasted into its script.
 */
export function sshConfigSnippet(host: string, socketPath: string): string {
  const script = '{ printf "connect %%s %%s\\n" "$1" "$2"; exec cat; } | exec nc -N -U "$3"';
  const socket = _shellWord(socketPath).replaceAll('%', '%%');
  return [`Host ${host}`, `  ProxyCommand sh -c '${script}' spa-proxy ${host} %p ${socket}`, ''].join('\n');
}

/** A word for sh: as it is when plainly safe, else single-quoted. */
function _shellWord(text: string): string {
  return /^[\w@+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
