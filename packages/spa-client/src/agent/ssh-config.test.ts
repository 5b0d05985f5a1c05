/** The printed ssh_config: ssh's %-escapes doubled, the socket path quoted for the shell. */
import { describe, expect, it } from 'vitest';
import { sshConfigSnippet } from './ssh-config.js';

describe('sshConfigSnippet', () => {
  it("sends connect HOST %p through nc to the socket, the profile's host written in, never ssh's %h", () => {
    expect(sshConfigSnippet('vpn.example.com', '/run/user/1000/spa-client/agent.sock')).toBe(
      `Host vpn.example.com
  ProxyCommand sh -c '{ printf "connect %%s %%s\\n" "$1" "$2"; exec cat; } | exec nc -N -U "$3"' spa-proxy vpn.example.com %p /run/user/1000/spa-client/agent.sock
`,
    );
  });

  it("quotes a socket path with spaces, quotes or % so that sh and ssh's expansion leave it as it is", () => {
    const line = sshConfigSnippet('gw', "/home/o'n 100%/a.sock").split('\n')[1]!;
    expect(line.endsWith(` gw %p '/home/o'\\''n 100%%/a.sock'`)).toBe(true);
  });
});
