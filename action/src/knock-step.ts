/** Runs spa-client's open or close in this process, with the key from the inputs, and returns its report. @module */
import { type KnockReport, type Output, runKnock, toClientError } from 'spa-client';
import type { ActionInputs } from './action-inputs.js';
import { knockArguments } from './action-inputs.js';
import { logInfo } from './workflow-io.js';

export interface KnockOutcome {
  /** The report of a knock that was sent, also when --wait then timed out; null if nothing was sent. */
  readonly report: KnockReport | null;
  readonly error: string | null;
}

export async function knock(
  kind: 'open' | 'close',
  inputs: ActionInputs,
  allowIp?: readonly string[],
): Promise<KnockOutcome> {
  let report: KnockReport | null = null;
  const output: Output = {
    json: true,
    verbose: true,
    line: logInfo,
    result(value) {
      report = value as KnockReport;
    },
    info: (text) => logInfo(`spa-client: ${text}`),
    // "signing ADDRESS (…)": the address that gets the port, worth seeing in the job's log.
    notice: (text) => logInfo(`spa-client: ${text}`),
  };
  // The client reads SPA_PRIVATE_KEY from this process's environment: no file on the runner's disk,
  // nothing on a command line another process could read.
  process.env.SPA_PRIVATE_KEY = inputs.privateKey;
  try {
    await runKnock(kind, knockArguments(kind, inputs, allowIp), output);
    return { report, error: null };
  } catch (error) {
    const clientError = toClientError(error);
    const details = clientError.details as Partial<KnockReport> | undefined;
    const sent = details?.packets !== undefined && details.packets.length > 0;
    return {
      report: sent ? (details as KnockReport) : null,
      error: `spa-client ${kind} failed (${clientError.code}, exit ${clientError.exitCode}): ${clientError.message}`,
    };
  } finally {
    delete process.env.SPA_PRIVATE_KEY;
  }
}
