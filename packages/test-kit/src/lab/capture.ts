/** A tcpdump capture inside a lab host: started only once tcpdump says it is listening, stopped with every packet flushed. @module */
import type { Host } from './netns.js';
import { type CapturedPacket, parsePcap } from './pcap.js';
import { waitForOutput } from './wait-output.js';

export interface Capture {
  /** Stops tcpdump (SIGINT, so it writes what it has) and returns every packet it saw. */
  stop(): Promise<CapturedPacket[]>;
  /** Kills tcpdump without reading anything; idempotent, for cleanup paths. */
  kill(): void;
}

/**
 * Runs `tcpdump -i IFACE --immediate-mode -U -n -w - FILTER...` in `host`. The pcap goes to stdout (no file, so no
 * question of which user tcpdump writes as); -U flushes each packet as it comes.
 */
export async function startCapture(host: Host, filter: readonly string[], iface = 'eth0'): Promise<Capture> {
  // --immediate-mode: without it the kernel hands packets over in blocks, once per second, and a
  // block still pending at SIGINT is never written: the last second of traffic would be missing.
  const args = ['-i', iface, '--immediate-mode', '-U', '-n', '-s', '2048', '-w', '-', ...filter];
  const child = host.exec('tcpdump', args, {
    encoding: 'buffer',
    reject: false,
    stripFinalNewline: false,
  });
  // tcpdump prints this on stderr once the capture is active: every packet from then on is kept.
  await waitForOutput(child, 'stderr', 'listening on');
  let stopped: Promise<CapturedPacket[]> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        child.kill('SIGINT');
        const result = await child;
        const stdout = result.stdout as Uint8Array;
        const stderr = Buffer.from(result.stderr as Uint8Array).toString();
        if (stdout.length === 0) throw new Error(`tcpdump wrote nothing: ${stderr}`);
        const packets = parsePcap(stdout);
        // A capture that lost packets proves nothing about silence: compare with tcpdump's own counts.
        const count = (what: string) =>
          Number(new RegExp(`(\\d+) packets? ${what}`).exec(stderr)?.[1] ?? Number.NaN);
        const [captured, matched, dropped] = [
          count('captured'),
          count('received by filter'),
          count('dropped by kernel'),
        ];
        if (captured !== packets.length || matched !== captured || dropped !== 0) {
          throw new Error(`tcpdump lost packets (${packets.length} read): ${stderr.trim()}`);
        }
        return packets;
      })();
      return stopped;
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}
