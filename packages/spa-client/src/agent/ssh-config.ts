/** The ssh_config lines that reach a host through the agent: a ProxyCommand of sh, printf and OpenBSD nc, no Node. @module */

/**
 * `Host PATTERN` and a ProxyCommand sending `connect %h %p` to the agent, then relaying with
 * `nc -N -U` (netcat-openbsd; -N passes ssh's EOF on as a half-close). ssh expands %-tokens before
 * the shell runs the line, so printf's own `%s` is written `%%s`; host, port and socket reach the
 * inner shell as arguments, never pasted into its script.
 */
export function sshConfigSnippet(hostPattern: string, socketPath: string): string {
  const script = '{ printf "connect %%s %%s\\n" "$1" "$2"; exec cat; } | exec nc -N -U "$3"';
  return [
    `Host ${hostPattern}`,
    `  ProxyCommand sh -c '${script}' spa-proxy %h %p ${_shellWord(socketPath).replaceAll('%', '%%')}`,
    '',
  ].join('\n');
}

/** A word for sh: as it is when plainly safe, else single-quoted. */
function _shellWord(text: string): string {
  return /^[\w@+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
