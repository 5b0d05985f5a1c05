/** fwknopd 2.6.10 as a ServerUnderTest: UDP server mode, Rijndael + HMAC-SHA256 keys, iptables in the lab. @module */

import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { epochMs } from './clock.js';
import { stopOnce, untilReady } from './daemon-lifecycle.js';
import type { BenchEnv, RunningServer, ServerUnderTest, StartOptions } from './server-under-test.js';

/** fwknop's default SPA port. */
export const FWKNOP_UDP_PORT = 62201;
/**
 * The iptables fwknopd was built for ("compiled for firewall bin: /usr/sbin/iptables"). Our DROP rule must
 * go through the same backend: a legacy-table DROP would still drop after an nft-table ACCEPT.
 */
const IPTABLES = '/usr/sbin/iptables';
const START_TIMEOUT_MS = 5000;
const STOP_TIMEOUT_MS = 3000;

export interface FwknopKeys {
  readonly rijndaelBase64: string;
  readonly hmacBase64: string;
}

export interface FwknopOptions {
  /**
   * fwknopd's RULES_CHECK_THRESHOLD (default 20): every that many loop turns, i.e. received datagrams
   * in UDP server mode, junk included, it forks `iptables -L` to garbage-collect expired rules.
   * Undefined keeps fwknopd's default, which is what the figures are about; 0 turns it off.
   */
  readonly rulesCheckThreshold?: number;
}

/** Creates the fwknopd side of the benchmark. */
export function createFwknopServer(options: FwknopOptions = {}): ServerUnderTest {
  return {
    name: 'fwknopd',
    async version() {
      const daemon = await execa('fwknopd', ['--version']);
      const ipt = await execa(IPTABLES, ['--version']);
      const tuned =
        options.rulesCheckThreshold === undefined
          ? ''
          : `; RULES_CHECK_THRESHOLD ${options.rulesCheckThreshold}`;
      return `${daemon.stdout.split(',')[0]}, UDP server mode; ${ipt.stdout.trim()}${tuned}`;
    },
    start: (env, startOptions) => startFwknopd(env, startOptions, options),
  };
}

/** Runs `fwknop --key-gen` with HOME pointed at `home`: any client run otherwise creates ~/.fwknoprc. */
export async function generateFwknopKeys(home: string): Promise<FwknopKeys> {
  const { stdout } = await execa('fwknop', ['--key-gen', '--no-rc-file'], { env: { HOME: home } });
  const rijndaelBase64 = /^KEY_BASE64:\s*(\S+)$/m.exec(stdout)?.[1];
  const hmacBase64 = /^HMAC_KEY_BASE64:\s*(\S+)$/m.exec(stdout)?.[1];
  if (!rijndaelBase64 || !hmacBase64) throw new Error(`fwknop --key-gen printed no keys: ${stdout}`);
  return { rijndaelBase64, hmacBase64 };
}

/** fwknop client arguments for one knock asking tcp/`protectedPort` for `allowIp` (rc file and history off). */
export function fwknopClientArgs(
  keys: FwknopKeys,
  protectedPort: number,
  allowIp: string,
  target: { address: string; port: number },
): string[] {
  if (!isIPv4(allowIp) || !isIPv4(target.address)) throw new Error(`not IPv4: ${allowIp}, ${target.address}`);
  return [
    '--no-rc-file',
    '--no-save-args',
    '--use-hmac',
    '--key-base64-rijndael',
    keys.rijndaelBase64,
    '--key-base64-hmac',
    keys.hmacBase64,
    '--server-proto',
    'udp',
    '-A',
    `tcp/${protectedPort}`,
    '-a',
    allowIp,
    '-D',
    target.address,
    '-p',
    String(target.port),
  ];
}

async function startFwknopd(
  env: BenchEnv,
  options: StartOptions,
  tuning: FwknopOptions,
): Promise<RunningServer> {
  const { server, client, protectedPort } = env;
  const dir = await mkdtemp(join(env.workDir, 'fwknopd-'));
  const keys = await generateFwknopKeys(dir);
  const conf = join(dir, 'fwknopd.conf');
  const access = join(dir, 'access.conf');
  await _writePrivate(conf, _daemonConfig(dir, tuning));
  await _writePrivate(access, _accessConfig(keys, protectedPort, options.accessTimeoutS));

  // Appended to INPUT: fwknopd inserts its jump to FWKNOP_INPUT at position 1 (IPT_INPUT_ACCESS
  // "..., INPUT, 1, FWKNOP_INPUT, 1"), so its ACCEPT rules are seen before this DROP.
  const dropRule = ['INPUT', '-p', 'tcp', '--dport', String(protectedPort), '-j', 'DROP'];
  await server.exec(IPTABLES, ['-A', ...dropRule]);

  const daemon = server.exec(
    'fwknopd',
    ['-c', conf, '-a', access, '-d', join(dir, 'digest.cache'), '-p', join(dir, 'fwknopd.pid'), '-f'],
    // stdout ignored: the UDP server printf()s every datagram it receives, junk included.
    { stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', buffer: false, reject: false },
  );
  const grants: number[] = [];
  const log: string[] = [];
  let ready: (() => void) | undefined;
  const readyPromise = new Promise<void>((resolve) => {
    ready = resolve;
  });
  createInterface({ input: daemon.stderr! }).on('line', (line) => {
    if (line.startsWith('Added access rule to FWKNOP_INPUT')) grants.push(epochMs());
    if (line.startsWith('Kicking off UDP server')) ready?.();
    log.push(line);
    if (log.length > 200) log.shift();
  });

  const stop = stopOnce(daemon, STOP_TIMEOUT_MS, async () => {
    // fwknopd flushes FWKNOP_INPUT and its jump at exit (FLUSH_IPT_AT_EXIT); the DROP rule is ours.
    await server.exec(IPTABLES, ['-D', ...dropRule], { reject: false });
    await rm(dir, { recursive: true, force: true });
  });

  await untilReady({
    name: 'fwknopd',
    daemon,
    ready: readyPromise,
    tail: () => log.join('\n'),
    stop,
    timeoutMs: START_TIMEOUT_MS,
  });

  let knockSeq = 0;
  return {
    pid: daemon.pid!,
    knockAddress: server.ipv4,
    knockPort: FWKNOP_UDP_PORT,
    async knock(allowIp) {
      const file = join(dir, `knock-${++knockSeq}.txt`);
      const target = { address: server.ipv4, port: FWKNOP_UDP_PORT };
      // -T builds without sending; -B saves the exact UDP payload (base64 text) plus a newline.
      // Run inside the client namespace so nothing could ever leave the lab even if -T were ignored.
      await client.exec(
        'fwknop',
        [...fwknopClientArgs(keys, protectedPort, allowIp, target), '-T', '-B', file],
        {
          env: { HOME: dir },
          stdout: 'ignore',
        },
      );
      const text = (await readFile(file, 'utf8')).trim();
      await rm(file);
      return new TextEncoder().encode(text);
    },
    clientCommand(allowIp, target) {
      return {
        file: 'fwknop',
        args: fwknopClientArgs(keys, protectedPort, allowIp, target),
        env: { HOME: dir },
      };
    },
    grantTimes: () => grants,
    stop,
  } satisfies RunningServer;
}

function _daemonConfig(dir: string, tuning: FwknopOptions): string {
  const threshold = tuning.rulesCheckThreshold;
  return [
    // UDP server instead of libpcap: no PCAP_LOOP_SLEEP (100 ms) between capture rounds.
    'ENABLE_UDP_SERVER Y;',
    `UDPSERV_PORT ${FWKNOP_UDP_PORT};`,
    'PCAP_INTF eth0;',
    `FWKNOP_RUN_DIR ${dir};`,
    `FWKNOP_CONF_DIR ${dir};`,
    `FIREWALL_EXE ${IPTABLES};`,
    ...(threshold === undefined ? [] : [`RULES_CHECK_THRESHOLD ${Math.max(0, Math.trunc(threshold))};`]),
    '',
  ].join('\n');
}

function _accessConfig(keys: FwknopKeys, port: number, timeoutS: number): string {
  return [
    'SOURCE ANY',
    'REQUIRE_SOURCE_ADDRESS Y',
    `OPEN_PORTS tcp/${port}`,
    `KEY_BASE64 ${keys.rijndaelBase64}`,
    `HMAC_KEY_BASE64 ${keys.hmacBase64}`,
    `FW_ACCESS_TIMEOUT ${Math.max(1, Math.round(timeoutS))}`,
    '',
  ].join('\n');
}

/** fwknopd refuses to start quietly with group/world-readable config (it warns); keys are secrets anyway. */
async function _writePrivate(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600 });
  await chmod(path, 0o600);
}
