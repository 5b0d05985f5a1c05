/** The printed ssh_config: nc alone to the host's socket for ssh's port, %-escapes doubled, the path quoted for the shell. */
import { describe, expect, it } from 'vitest';
import { portSocketPrefix } from './port-sockets.js';
import { sshConfigSnippet } from './ssh-config.js';

describe('sshConfigSnippet', () => {
  it("relays with nc to the profile host's socket for %p, the host hashed into the path, never ssh's %h", () => {
    const socket = '/run/user/1000/spa-client/agent.sock';
    expect(sshConfigSnippet('vpn.example.com', socket)).toBe(
      `Host vpn.example.com\n  ProxyCommand nc -N -U ${portSocketPrefix(socket, 'vpn.example.com')}%p\n`,
    );
  });

  it("quotes a socket path with spaces, quotes or % so that sh and ssh's expansion leave it as it is", () => {
    const socket = "/home/o'n 100%/a.sock";
    const line = sshConfigSnippet('gw', socket).split('\n')[1]!;
    const hash = portSocketPrefix(socket, 'gw').slice(socket.length);
    expect(line).toBe(`  ProxyCommand nc -N -U '/home/o'\\''n 100%%/a.sock${hash}'%p`);
  });
});
