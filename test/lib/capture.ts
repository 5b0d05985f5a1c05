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
 * Runs `tcpdump -i IFACE -U -n -w - FILTER...` in `host`. The pcap goes to stdout (no file, so no
 * question of which user tcpdump writes as); -U flushes each packet as it comes.
 */
export async function startCapture(host: Host, filter: readonly string[], iface = 'eth0'): Promise<Capture> {
  const child = host.exec('tcpdump', ['-i', iface, '-U', '-n', '-s', '2048', '-w', '-', ...filter], {
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
        if (stdout.length === 0) throw new Error(`tcpdump wrote nothing: ${String(result.stderr)}`);
        return parsePcap(stdout);
      })();
      return stopped;
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}
