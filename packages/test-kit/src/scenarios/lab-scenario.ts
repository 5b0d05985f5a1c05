/** The set-up most kernel tests share: a lab, echo services on the server, optionally spa-server started, all removed afterwards. @module */
import type { ResultPromise } from 'execa';
import { afterAll, beforeAll } from 'vitest';
import { agentPath } from '../agents/agent-path.js';
import { createLab, type Host, type Lab } from '../lab/netns.js';
import { waitForOutput } from '../lab/wait-output.js';
import {
  type ServerProcess,
  type ServerProcessOptions,
  startServerProcess,
} from '../processes/server-process.js';

const TCP_SERVICE = agentPath('tcp-service.mjs');

export interface LabScenarioOptions {
  /** Namespaces to create; default server, client, outsider. */
  readonly hosts?: readonly string[];
  /** Ports of echo services started (and listening) on the server before spa-server. */
  readonly tcpServices?: readonly number[];
  /** More set-up once the lab and services are up, before spa-server starts. */
  readonly before?: (scenario: LabScenario) => Promise<void>;
  /** Starts spa-server on the server host with these options (its host filled in). */
  readonly spa?: Omit<ServerProcessOptions, 'host'>;
}

export interface LabScenario {
  readonly lab: Lab;
  readonly server: Host;
  readonly client: Host;
  readonly outsider: Host;
  /** The running spa-server; a test that restarts it assigns the new one. */
  spa: ServerProcess;
}

/**
 * Registers beforeAll/afterAll for the file or describe block it is called in, and returns the
 * scenario; its fields are there once beforeAll has run. afterAll stops spa-server (SIGTERM, then
 * its files), the services, and destroys the lab.
 */
export function useLabScenario(options: LabScenarioOptions = {}): LabScenario {
  let lab: Lab | undefined;
  let spa: ServerProcess | undefined;
  const services: ResultPromise[] = [];
  const made = (): Lab => {
    if (!lab) throw new Error('the lab exists once beforeAll has run');
    return lab;
  };
  const scenario: LabScenario = {
    get lab() {
      return made();
    },
    get server() {
      return made().host('server');
    },
    get client() {
      return made().host('client');
    },
    get outsider() {
      return made().host('outsider');
    },
    get spa() {
      if (!spa) throw new Error('no spa-server in this scenario');
      return spa;
    },
    set spa(value) {
      spa = value;
    },
  };
  beforeAll(async () => {
    lab = await createLab([...(options.hosts ?? ['server', 'client', 'outsider'])]);
    for (const port of options.tcpServices ?? []) {
      const service = scenario.server.exec(process.execPath, [TCP_SERVICE, String(port)], { reject: false });
      services.push(service);
      await waitForOutput(service, 'stdout', `listening ${port}`);
    }
    await options.before?.(scenario);
    if (options.spa) spa = await startServerProcess({ ...options.spa, host: scenario.server });
  });
  afterAll(async () => {
    await spa?.stop();
    await spa?.cleanup();
    for (const service of services) service.kill();
    await lab?.destroy();
  });
  return scenario;
}
