/** The action's post step: always runs (also after a failed job) and asks the server to close what main opened. @module */
import { formatHuman } from 'spa-client';
import { readActionInputs } from './action-inputs.js';
import { knock } from './knock-step.js';
import { STATE_ADDRESSES, STATE_SENT } from './state-names.js';
import { logError, logInfo, readState } from './workflow-io.js';

export async function post(): Promise<number> {
  if (readState(STATE_SENT) !== 'true') {
    logInfo('spa: main sent no knock, nothing to close');
    return 0;
  }
  // The runner gives post the same inputs as main, so the key is read (and masked) again, never saved.
  const inputs = readActionInputs();
  // The addresses main's request named (found by STUN, say), so that close names the same ones even
  // if a second lookup now gave another answer. Empty: the open granted the packet's source address.
  const named = readState(STATE_ADDRESSES);
  const allowIp = named === '' ? ['source'] : named.split(',');
  const { report, error } = await knock('close', inputs, allowIp);
  if (report) for (const line of formatHuman(report)) logInfo(line);
  if (error) {
    logError(`${error}; the grant still ends when its duration runs out`);
    return 1;
  }
  return 0;
}
