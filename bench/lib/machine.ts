/** The machine a benchmark ran on, for the report: figures only mean something next to it. @module */
import { readFile } from 'node:fs/promises';
import { availableParallelism, loadavg, release, totalmem } from 'node:os';
import { execa } from 'execa';

export interface Machine {
  /** `uname -r`. */
  readonly kernel: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  /** ISO 8601, when the run started. */
  readonly date: string;
}

/** Describes this machine. */
export async function describeMachine(date: Date): Promise<Machine> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8');
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  return {
    kernel: release(),
    cpuModel,
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    date: date.toISOString(),
  };
}

/** How busy the machine was: on a shared machine, other work shifts every figure. */
export interface Conditions {
  /** 1, 5 and 15 minute load averages. */
  readonly loadAverage: number[];
  /** Network namespaces that are not this run's: other test runs working at the same time. */
  readonly otherNamespaces: number;
}

/** Reads the load average and counts the network namespaces whose names do not contain `ownLabId`. */
export async function describeConditions(ownLabId?: string): Promise<Conditions> {
  const { stdout } = await execa('ip', ['netns', 'list'], { reject: false });
  const names = String(stdout)
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n !== '' && (ownLabId === undefined || !n.includes(ownLabId)));
  return { loadAverage: loadavg().map((l) => Math.round(l * 100) / 100), otherNamespaces: names.length };
}
