/** CPU time and memory of one process, read from /proc (Linux only). @module */
import { readFile } from 'node:fs/promises';

/** USER_HZ: /proc/PID/stat counts CPU time in clock ticks; 100 on every Linux ABI Node supports. */
const CLOCK_TICKS_PER_S = 100;

export interface CpuTimes {
  /** User + system CPU of the process itself (its threads), in milliseconds; 10 ms resolution. */
  readonly ownMs: number;
  /** User + system CPU of children it has already waited for (fwknopd's iptables runs), in milliseconds. */
  readonly childrenMs: number;
}

export interface Memory {
  /** Resident set size (VmRSS), KiB: counts shared libraries in full. */
  readonly rssKiB: number;
  /** Proportional set size, KiB: shared pages divided among the processes that map them. */
  readonly pssKiB: number;
}

/** Reads utime+stime and cutime+cstime of `pid`. */
export async function readCpuTimes(pid: number): Promise<CpuTimes> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces and parentheses: split after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime, stime, cutime, cstime are fields 14..17.
  const tick = (n: number): number => Number(fields[n - 3]);
  return {
    ownMs: ((tick(14) + tick(15)) * 1000) / CLOCK_TICKS_PER_S,
    childrenMs: ((tick(16) + tick(17)) * 1000) / CLOCK_TICKS_PER_S,
  };
}

/** Reads VmRSS and Pss of `pid`. */
export async function readMemory(pid: number): Promise<Memory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  return { rssKiB: _kib(status, 'VmRSS'), pssKiB: _kib(rollup, 'Pss') };
}

function _kib(text: string, key: string): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
  if (!match?.[1]) throw new Error(`no ${key} in /proc data`);
  return Number(match[1]);
}

/** Samples VmRSS of `pid` every `everyMs` until stopped; resolves with the largest reading, KiB. */
export function watchPeakRss(pid: number, everyMs = 200): { stop(): Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
      if (status) peak = Math.max(peak, _kib(status, 'VmRSS'));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}
