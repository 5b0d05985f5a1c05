/** What every firewall driver must do, as a user notices it: one suite run against the real kernel in a lab. @module */

import type { ResultPromise } from 'execa';
import { CLIENT_NAME_PATTERN } from 'spa-config/server-config';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { createLab, type Host, type Lab } from 'spa-test-kit/lab/netns';
import { probeTcp, waitForTcp } from 'spa-test-kit/lab/probe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirewallDriver, Grant, PortSpec } from '../../src/firewall/driver.js';
import { SERVER_ERROR_CODES, ServerError } from '../../src/shared/server-error.js';

/** A driver under test, plus the helper process id the drivers expose for recovery tests. */
export type DriverUnderTest = FirewallDriver & { readonly helperPid: number | undefined };

export interface ContractSubject {
  readonly label: string;
  /** A driver for the server namespace; `name` varies the table/prefix. */
  make(netns: string, options?: { readonly timeoutMs?: number }): DriverUnderTest;
  /** The same driver pointed at a tool that does not exist. */
  makeMissingTool(netns: string): FirewallDriver;
  /** Removes the driver's objects behind its back, as an admin or another tool would. */
  deleteUnderneath(server: Host): Promise<void>;
  /**
   * Turns the driver's rules off behind its back while keeping every object (an nftables table made
   * dormant); absent where the firewall has no such switch (iptables-legacy).
   */
  makeDormant?(server: Host): Promise<void>;
}

const TCP_SERVICE = agentPath('tcp-service.mjs');
/** Protected with a service behind it. */
const SERVICE = 2222;
/** Protected, nothing listening: filtered while protected, closed (RST) when not. */
const EMPTY = 2223;
/** Never protected, nothing listening: always closed. */
const UNPROTECTED = 2224;
const PORTS: readonly PortSpec[] = [
  { protocol: 'tcp', port: SERVICE },
  { protocol: 'tcp', port: EMPTY },
  { protocol: 'udp', port: 5353 },
];
/** Inside a lab an answer takes microseconds: silence for 300 ms is a drop. */
const PROBE_MS = 300;

// Connects, reads the greeting, says "connected", waits past the grant's end, then writes and expects the echo.
const HOLD_CONNECTION = `
const [host, port, waitMs] = process.argv.slice(1);
const socket = require('node:net').connect({ host, port: Number(port) });
let phase = 'greeting'; let seen = '';
socket.setEncoding('utf8');
socket.on('data', (d) => {
  seen += d;
  if (phase === 'greeting' && seen.includes('hello')) {
    phase = 'waiting'; seen = ''; process.stdout.write('connected\\n');
    setTimeout(() => { phase = 'echo'; socket.write('still-here\\n'); }, Number(waitMs));
  } else if (phase === 'echo' && seen.includes('still-here')) { process.stdout.write('echo-ok\\n'); process.exit(0); }
});
socket.on('error', (e) => { process.stdout.write('error ' + e.code + '\\n'); process.exit(1); });
setTimeout(() => { process.stdout.write('timeout ' + phase + '\\n'); process.exit(1); }, Number(waitMs) + 5000);
`;

/** Registers the whole contract for one driver. */
export function describeFirewallContract(subject: ContractSubject): void {
  describe(`${subject.label} driver against the kernel`, () => {
    let lab: Lab;
    let server: Host;
    let client: Host;
    let outsider: Host;
    let service: ResultPromise | undefined;
    let driver: DriverUnderTest;
    const extra: FirewallDriver[] = [];

    const grantFor = (host: Host, family: 4 | 6, timeoutSeconds: number, client = 'alice'): Grant => ({
      family,
      address: family === 4 ? host.ipv4 : host.ipv6,
      protocol: 'tcp',
      port: SERVICE,
      timeoutSeconds,
      client,
    });
    const probe = (from: Host, address: string, port = SERVICE) => probeTcp(from, address, port, PROBE_MS);
    const grantsTo = async (address: string) => (await driver.list()).filter((g) => g.address === address);

    beforeAll(async () => {
      lab = await createLab(['server', 'client', 'outsider']);
      server = lab.host('server');
      client = lab.host('client');
      outsider = lab.host('outsider');
      service = server.exec(process.execPath, [TCP_SERVICE, String(SERVICE)], { reject: false });
      await new Promise<void>((resolve) => service?.stdout?.once('data', () => resolve()));
      driver = subject.make(server.ns);
      await driver.setup(PORTS);
    });

    afterAll(async () => {
      for (const d of [driver, ...extra]) await d?.close().catch(() => {});
      service?.kill();
      await service;
      await lab?.destroy();
    });

    it('drops protected ports for everyone and leaves other ports alone', async () => {
      expect(await driver.isIntact()).toBe(true);
      expect(await probe(client, server.ipv4)).toBe('filtered');
      expect(await probe(outsider, server.ipv4)).toBe('filtered');
      expect(await probe(client, server.ipv6)).toBe('filtered');
      expect(await probe(client, server.ipv4, EMPTY)).toBe('filtered');
      expect(await probe(client, server.ipv4, UNPROTECTED)).toBe('closed');
    });

    it('opens a protected port for the granted address only, IPv4 and IPv6', async () => {
      await driver.grant([grantFor(client, 4, 30)]);
      expect(await probe(client, server.ipv4)).toBe('open');
      expect(await probe(outsider, server.ipv4)).toBe('filtered');
      expect(await probe(client, server.ipv6)).toBe('filtered');
      await driver.grant([grantFor(client, 6, 30, 'alice6')]);
      expect(await probe(client, server.ipv6)).toBe('open');
      expect(await probe(outsider, server.ipv6)).toBe('filtered');
      expect(await grantsTo(client.ipv6)).toEqual([
        expect.objectContaining({ family: 6, protocol: 'tcp', port: SERVICE, client: 'alice6' }),
      ]);
      await driver.revoke([grantFor(client, 4, 1), grantFor(client, 6, 1)]);
    });

    it('grants a client whose name uses every character and the full length the config allows', async () => {
      // One rule for the config and the firewall (CLIENT_NAME_PATTERN): such a client's knocks must
      // open the port, not authenticate and then fail at the firewall.
      const name = 'Zz09_.@+-'.padEnd(64, 'x');
      expect(name).toMatch(new RegExp(CLIENT_NAME_PATTERN));
      await driver.grant([grantFor(client, 4, 30, name)]);
      expect(await probe(client, server.ipv4)).toBe('open');
      expect(await grantsTo(client.ipv4)).toEqual([expect.objectContaining({ client: name })]);
      await driver.revoke([grantFor(client, 4, 1)]);
      expect(await probe(client, server.ipv4)).toBe('filtered');
    });

    it('closes on time by itself, while a connection opened during the grant keeps working', async () => {
      const started = Date.now();
      await driver.grant([grantFor(client, 4, 2)]);
      const holder = client.exec(
        process.execPath,
        ['-e', HOLD_CONNECTION, server.ipv4, String(SERVICE), '3500'],
        {
          reject: false,
        },
      );
      await new Promise<void>((resolve) => holder.stdout?.once('data', () => resolve()));
      expect(await waitForTcp(client, server.ipv4, SERVICE, 'filtered', 6000)).toBe('filtered');
      const closedAfter = (Date.now() - started) / 1000;
      expect(closedAfter).toBeGreaterThan(1.5);
      expect(closedAfter).toBeLessThan(4.5);
      expect(await grantsTo(client.ipv4)).toEqual([]);
      expect((await holder).stdout).toContain('echo-ok');
    });

    it('extends a repeated grant to the new timeout instead of duplicating it', async () => {
      await driver.grant([grantFor(client, 4, 2, 'first')]);
      await new Promise((r) => setTimeout(r, 1000));
      // Owners as the ledger writes them, each name with its key's tag: read back as written.
      await driver.grant([grantFor(client, 4, 30, 'second:0123456789ab,third')]);
      const [only, ...others] = await grantsTo(client.ipv4);
      expect(others).toEqual([]);
      expect(only).toMatchObject({ client: 'second:0123456789ab,third', owners: ['second', 'third'] });
      expect(only?.expiresInSeconds).toBeGreaterThanOrEqual(27);
      // Past the first grant's end the port is still open.
      await new Promise((r) => setTimeout(r, 1500));
      expect(await probe(client, server.ipv4)).toBe('open');
    });

    it('revokes at once, and revoking what is not there is not an error', async () => {
      expect(await probe(client, server.ipv4)).toBe('open');
      await driver.revoke([grantFor(client, 4, 1)]);
      expect(await probe(client, server.ipv4)).toBe('filtered');
      expect(await grantsTo(client.ipv4)).toEqual([]);
      await driver.revoke([grantFor(client, 4, 1), grantFor(outsider, 6, 1)]);
    });

    it('keeps live grants through a second setup (a restart) and applies the new port list', async () => {
      await driver.grant([grantFor(client, 4, 60, 'survivor')]);
      const restarted = subject.make(server.ns);
      extra.push(restarted);
      await restarted.setup([
        { protocol: 'tcp', port: SERVICE },
        { protocol: 'tcp', port: UNPROTECTED },
      ]);
      await restarted.setup([
        { protocol: 'tcp', port: SERVICE },
        { protocol: 'tcp', port: UNPROTECTED },
      ]);
      expect(await restarted.isIntact()).toBe(true);
      expect(await restarted.list()).toEqual([
        expect.objectContaining({ address: client.ipv4, client: 'survivor' }),
      ]);
      expect(await probe(client, server.ipv4)).toBe('open');
      expect(await probe(outsider, server.ipv4, UNPROTECTED)).toBe('filtered');
      expect(await probe(outsider, server.ipv4, EMPTY)).toBe('closed');
      await restarted.close();
      await driver.setup(PORTS);
      expect(await probe(outsider, server.ipv4, EMPTY)).toBe('filtered');
      expect(await probe(outsider, server.ipv4, UNPROTECTED)).toBe('closed');
      await driver.revoke([grantFor(client, 4, 1)]);
    });

    it('handles many concurrent grants in order, each applied once', async () => {
      const grants = Array.from(
        { length: 300 },
        (_, i): Grant => ({
          family: 4,
          address: `10.99.${i >> 8}.${i & 255}`,
          protocol: 'tcp',
          port: SERVICE,
          timeoutSeconds: 60,
          client: `c${i}`,
        }),
      );
      await Promise.all(grants.map((g) => driver.grant([g])));
      const listed = (await driver.list()).filter((g) => g.address.startsWith('10.99.'));
      expect(listed).toHaveLength(300);
      expect(new Set(listed.map((g) => g.client)).size).toBe(300);
      await driver.revoke(grants);
      expect((await driver.list()).filter((g) => g.address.startsWith('10.99.'))).toEqual([]);
    });

    it('notices its objects deleted underneath, fails grants with a ServerError, and recovers by setup', async () => {
      await driver.grant([grantFor(client, 4, 60)]);
      await subject.deleteUnderneath(server);
      expect(await driver.isIntact()).toBe(false);
      const failure = await driver.grant([grantFor(client, 4, 60)]).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ServerError);
      await driver.setup(PORTS);
      expect(await driver.isIntact()).toBe(true);
      await driver.grant([grantFor(client, 4, 60)]);
      expect(await probe(client, server.ipv4)).toBe('open');
      await driver.revoke([grantFor(client, 4, 1)]);
    });

    const { makeDormant } = subject;
    if (makeDormant) {
      it('notices its rules turned off underneath (made dormant, every object kept): the port open to anyone until setup', async () => {
        await makeDormant(server);
        // What the switch does, as an outsider sees it: this is the fail-open the check is for.
        expect(await probe(outsider, server.ipv4)).toBe('open');
        expect(await driver.isIntact()).toBe(false);
        const state = await driver.inspect();
        expect(state.protection).not.toBe('installed');
        expect(state.ports).toEqual([]);
        await driver.setup(PORTS);
        expect(await driver.isIntact()).toBe(true);
        expect((await driver.inspect()).protection).toBe('installed');
        expect(await probe(outsider, server.ipv4)).toBe('filtered');
        expect(await probe(outsider, server.ipv6)).toBe('filtered');
      });
    }

    it('survives its helper process dying: in-flight work fails, the next call works', async () => {
      const fragile = subject.make(server.ns, { timeoutMs: 500 });
      extra.push(fragile);
      await fragile.grant([grantFor(outsider, 4, 60)]);
      const killed = fragile.helperPid;
      expect(killed).toBeDefined();
      process.kill(killed!, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 100));
      await fragile.grant([grantFor(outsider, 4, 60)]);
      // A hung helper: the command times out, the helper is replaced.
      const stopped = fragile.helperPid!;
      expect(stopped).not.toBe(killed);
      process.kill(stopped, 'SIGSTOP');
      const hung = await fragile.grant([grantFor(outsider, 6, 60)]).catch((error: unknown) => error);
      expect(hung).toMatchObject({ code: SERVER_ERROR_CODES.firewallCommandFailed });
      await fragile.revoke([grantFor(outsider, 4, 1), grantFor(outsider, 6, 1)]);
      expect(fragile.helperPid).not.toBe(stopped);
      expect(await grantsTo(outsider.ipv4)).toEqual([]);
    });

    it('refuses invalid values before any tool sees them', async () => {
      const bad = { ...grantFor(client, 4, 30), address: '10.0.0.1 . tcp . 22 }; flush ruleset; #' };
      await expect(driver.grant([bad])).rejects.toMatchObject({
        code: SERVER_ERROR_CODES.firewallInvalidInput,
      });
      await expect(driver.grant([{ ...grantFor(client, 4, 30), client: 'a"b' }])).rejects.toMatchObject({
        code: SERVER_ERROR_CODES.firewallInvalidInput,
      });
      await expect(driver.setup([{ protocol: 'tcp', port: 0 }])).rejects.toMatchObject({
        code: SERVER_ERROR_CODES.firewallInvalidInput,
      });
      expect(await driver.isIntact()).toBe(true);
    });

    it('reports a missing tool with FIREWALL_TOOL_MISSING', async () => {
      const missing = subject.makeMissingTool(server.ns);
      extra.push(missing);
      await expect(missing.setup(PORTS)).rejects.toMatchObject({
        code: SERVER_ERROR_CODES.firewallToolMissing,
      });
      await expect(missing.grant([grantFor(client, 4, 30)])).rejects.toMatchObject({
        code: SERVER_ERROR_CODES.firewallToolMissing,
      });
    });

    it('flushes everything: the ports are no longer protected and a second flush is fine', async () => {
      await driver.grant([grantFor(client, 4, 60)]);
      await driver.flush();
      expect(await driver.isIntact()).toBe(false);
      expect(await driver.list()).toEqual([]);
      expect(await probe(outsider, server.ipv4)).toBe('open');
      expect(await probe(outsider, server.ipv4, EMPTY)).toBe('closed');
      await driver.flush();
    });
  });
}
