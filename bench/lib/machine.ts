/** The machine a benchmark ran on, for the report: figures only mean something next to it. @module */
import { readFile } from 'node:fs/promises';
import { availableParallelism, release, totalmem } from 'node:os';

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
