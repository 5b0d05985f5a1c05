/** The agent's per-port sockets: which ports a host gets, paths that fit sun_path whatever the host name, and the bounds. */
import { describe, expect, it } from 'vitest';
import { ClientError } from '../cli/errors.js';
import {
  hostPorts,
  MAX_PORT_SOCKETS,
  portSocketPrefix,
  portSockets,
  servablePortSockets,
} from './port-sockets.js';

const SERVER_KEY = 'spa-pk-unused';

describe('hostPorts', () => {
  it("is 22 and every tcp port of the entry's services map, ascending, once each", () => {
    const entry = {
      serverKey: SERVER_KEY,
      services: { ssh: 'tcp/2022', web: ['tcp/443', 'udp/51820', 'tcp/2022'] },
    };
    expect(hostPorts(entry)).toEqual([22, 443, 2022]);
  });

  it('is 22 alone without a services map, or with a list of names', () => {
    expect(hostPorts(undefined)).toEqual([22]);
    expect(hostPorts({ serverKey: SERVER_KEY, services: ['ssh', 'tcp/8443'] })).toEqual([22]);
  });
});

describe('portSockets', () => {
  it('one socket per host and port beside the agent socket, the host as a hash: no shell or path character', () => {
    const sockets = portSockets('/run/user/1000/spa-client/agent.sock', [
      { name: 'vpn.example.com', entry: { serverKey: SERVER_KEY, services: { ssh: 'tcp/2022' } } },
      { name: '../../etc', entry: undefined },
    ]);
    expect(sockets.map((s) => s.request)).toEqual([
      { host: 'vpn.example.com', port: 22 },
      { host: 'vpn.example.com', port: 2022 },
      { host: '../../etc', port: 22 },
    ]);
    for (const s of sockets) {
      expect(s.path).toMatch(/^\/run\/user\/1000\/spa-client\/agent\.sock\.[0-9a-f]{12}\.\d+$/);
      expect(s.path).toBe(
        `${portSocketPrefix('/run/user/1000/spa-client/agent.sock', s.request.host)}${s.request.port}`,
      );
    }
    expect(new Set(sockets.map((s) => s.path)).size).toBe(3);
  });

  it("serves an entry under its `host` field too, as the line protocol finds it; a name wins over another entry's `host`", () => {
    const agent = '/run/user/1000/spa-client/agent.sock';
    const sockets = portSockets(agent, [
      { name: 'work', entry: { serverKey: SERVER_KEY, host: 'vpn.example.com' } },
      { name: 'home', entry: { serverKey: SERVER_KEY, host: 'work' } },
      { name: 'lab', entry: { serverKey: SERVER_KEY, host: 'vpn.example.com' } },
    ]);
    const at = (asked: string) =>
      sockets.find((s) => s.path === `${portSocketPrefix(agent, asked)}22`)?.request;
    expect(at('work')).toEqual({ host: 'work', port: 22 });
    expect(at('vpn.example.com')).toEqual({ host: 'work', port: 22 });
    expect(at('home')).toEqual({ host: 'home', port: 22 });
    expect(at('lab')).toEqual({ host: 'lab', port: 22 });
    expect(sockets).toHaveLength(4);
  });

  it('a 253-byte host name still gives a short path', () => {
    const [socket] = portSockets('/run/user/1000/spa-client/agent.sock', [
      { name: 'a'.repeat(253), entry: undefined },
    ]);
    expect(Buffer.byteLength(socket!.path)).toBeLessThan(70);
  });

  it('refuses, in one line, a socket path whose port sockets would not fit sun_path, and too many sockets', () => {
    const long = `/${'d'.repeat(90)}/agent.sock`;
    expect(() => portSockets(long, [{ name: 'vpn', entry: undefined }])).toThrow(/shorter --socket/);
    const many = Array.from({ length: MAX_PORT_SOCKETS + 1 }, (_, i) => ({
      name: `h${i}`,
      entry: undefined,
    }));
    expect(() => portSockets('/run/a.sock', many)).toThrow(ClientError);
  });

  it('falls back to the line protocol alone, saying why, where port sockets cannot be made', () => {
    const many = Array.from({ length: MAX_PORT_SOCKETS + 1 }, (_, i) => ({
      name: `h${i}`,
      entry: undefined,
    }));
    const warnings: string[] = [];
    expect(
      servablePortSockets('/run/user/1000/spa-client/agent.sock', many, (l) => warnings.push(l)),
    ).toEqual([]);
    expect(warnings).toEqual([
      `profile: ${MAX_PORT_SOCKETS + 1} host ports to serve, at most ${MAX_PORT_SOCKETS} (fewer hosts or services); serving /run/user/1000/spa-client/agent.sock (the line protocol) alone`,
    ]);
    const long = `/tmp/${'d'.repeat(80)}/agent.sock`;
    expect(servablePortSockets(long, [{ name: 'vpn', entry: undefined }], (l) => warnings.push(l))).toEqual(
      [],
    );
    expect(warnings[1]).toMatch(/more than a Unix socket's 107 .*; serving .* \(the line protocol\) alone$/);
    expect(
      servablePortSockets('/run/a.sock', [{ name: 'vpn', entry: undefined }], (l) => warnings.push(l)),
    ).toHaveLength(1);
    expect(warnings).toHaveLength(2);
  });
});
