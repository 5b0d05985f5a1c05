/** The action's main step: knock to open the services for this runner, wait until they accept connections. @module */
import { formatHuman } from 'spa-client';
import { readActionInputs } from './action-inputs.js';
import { knock } from './knock-step.js';
import { STATE_ADDRESSES, STATE_SENT } from './state-names.js';
import { logError, logInfo, saveState, setOutput } from './workflow-io.js';

export async function main(): Promise<number> {
  const inputs = readActionInputs();
  const { report, error } = await knock('open', inputs);
  if (report) {
    // Saved even when the wait failed: the knock may still open the port later, and post must close it.
    saveState(STATE_SENT, 'true');
    saveState(STATE_ADDRESSES, report.request.addresses.join(','));
    setOutput('addresses', report.request.addresses.join(','));
    // Where the knock went and the ports were probed: the resolver's first answer may be of the
    // other family than the addresses asked for.
    setOutput('server-address', report.wait?.ports[0]?.address ?? report.packets[0]?.to ?? '');
    for (const line of formatHuman(report)) logInfo(line);
  }
  if (error) {
    logError(error);
    return 1;
  }
  return 0;
}
