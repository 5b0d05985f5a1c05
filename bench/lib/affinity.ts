/** CPU placement: the server on one core, load generators on the others, so /proc CPU times stay its own. @module */
import { availableParallelism } from 'node:os';
import { execa } from 'execa';

/**
 * With tick-based CPU accounting (no IRQ_TIME_ACCOUNTING, the common case), softirq work is charged to
 * whichever task is running. A veth delivers a sender's datagrams in the sender's own softirq, on the
 * sender's CPU: keeping the server on another CPU keeps flood processing out of its CPU figures.
 */
export interface CpuPlan {
  /** CPU list (taskset syntax) for the server under test; undefined on a one-core machine. */
  readonly server: string | undefined;
  /** CPU list for load generators. */
  readonly load: string | undefined;
}

/** Server on CPU 0, load on the rest; no pinning at all with one core. */
export function planCpus(): CpuPlan {
  const n = availableParallelism();
  if (n < 2) return { server: undefined, load: undefined };
  return { server: '0', load: n === 2 ? '1' : `1-${n - 1}` };
}

/** Pins every thread of `pid` (and so the children it forks later) to `cpus`. */
export async function pinProcess(pid: number, cpus: string | undefined): Promise<void> {
  if (cpus === undefined) return;
  await execa('taskset', ['--all-tasks', '--pid', '--cpu-list', cpus, String(pid)], { stdout: 'ignore' });
}

/**
 * Command prefix for a load generator: pinned to the load CPUs. Not niced: on a shared machine a nice-19
 * generator starves behind other work (53k instead of 500k datagrams/s); the prober, which sleeps between
 * 1 ms ticks, is favoured on wake-up by the scheduler anyway.
 */
export function loadPrefix(cpus: string | undefined): string[] {
  return cpus === undefined ? [] : ['taskset', '--cpu-list', cpus];
}
