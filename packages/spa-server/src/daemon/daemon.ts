/** The daemon: binds the listen sockets, runs the packet pipeline, keeps the firewall and replay store, reloads and stops. @module */

import { nodeBackend } from 'spa-node';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { watchDriver } from '../firewall/change-watch.js';
import { createGrantKeeper } from '../grants/grant-keeper.js';
import type { GrantKeeper } from '../grants/grant-keeper-api.js';
import { IntegrityPlanner } from '../grants/integrity-planner.js';
import { ShapeWitness } from '../grants/shape-witness.js';
import { createHookRunner } from '../hooks/hook-runner.js';
import { createDaemonLog, type DaemonLog, stdoutLogger } from '../observability/log.js';
import { watchLoopStall } from '../observability/loop-stall.js';
import { createMetrics } from '../observability/metrics.js';
import { formatHostPort } from '../observability/metrics-http.js';
import { configuredPipeline } from '../pipeline/configured-pipeline.js';
import { bindReceivers, type Receiver } from '../pipeline/receive.js';
import { advanceTags, createRuntime, type Runtime, windowsOf } from '../pipeline/runtime.js';
import { warmCheckPath } from '../pipeline/warm-check.js';
import { openReplay } from '../replay/open-replay.js';
import { startDaemonControl } from './control/daemon-control.js';
import type { Daemon, DaemonDeps } from './daemon-api.js';
import { serialReloads, warnSourceMode } from './daemon-reload.js';
import { inheritGrants } from './inherit-grants.js';
import { runtimeBuild } from './key-checks.js';
import { startKeyUpkeep } from './key-upkeep.js';
import { createKnockGateSync, fillGateAfterStart, TAGS_WITH_SETUP_MAX_KEYS } from './knock-gate-sync.js';
import { startMaintenance } from './maintenance-timers.js';
import { serveMetrics } from './serve-metrics.js';
import { setUpWithRuntime } from './start-firewall.js';

export async function startDaemon(config: ResolvedConfig, deps: DaemonDeps): Promise<Daemon> {
  const clock = deps.clock ?? Date.now;
  const backend = deps.backend ?? nodeBackend;
  const { driver } = deps;
  const log: DaemonLog = createDaemonLog({
    sink: deps.log ?? stdoutLogger,
    clock,
    level: config.log.level,
    refusalsPerSecond: config.log.refusalsPerSecond,
    summaryIntervalMs: deps.intervals?.logSummaryMs,
  });
  const build = runtimeBuild(deps.keyCache, log, clock);
  // Set once built (start-firewall.ts), before anything that reads it runs but the metrics' gauge.
  let runtime!: Runtime;
  const cleanups: (() => Promise<void>)[] = [async () => log.close()];
  const cleanup = async (): Promise<void> => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => {});
  };

  try {
    const opened = await openReplay(config, windowsOf(config), clock, log);
    const { store: replay, recovery, kind: replayStore } = opened;
    cleanups.push(() => replay.close());

    const stall = watchLoopStall();
    cleanups.push(async () => stall.stop());
    const metrics = createMetrics({
      replayEntries: () => replay.size,
      logSuppressed: () => log.suppressedTotal,
      // Read only once the daemon runs, after `grants` below is made.
      grantsLive: () => grants.count(),
      loopStallSeconds: () => stall.maxSeconds(),
      keyChecksPending: () => (runtime === undefined ? config.clients.length : runtime.table.pendingChecks),
    });
    const hooks = createHookRunner({ hooks: config.hooks, log, metrics });
    cleanups.push(() => hooks.close());
    // What the daemon can tell `status` of the table's shape without nft listing it (slow at scale).
    const witness = new ShapeWitness(clock);
    // Which integrity checks can skip the grant sets' elements (seconds of nft at 100,000 grants).
    const planner = new IntegrityPlanner(clock, log);
    const grants: GrantKeeper = createGrantKeeper({
      driver,
      clock,
      log,
      metrics,
      events: hooks.emit,
      witness,
      planner,
    });
    // Before the firewall: `spa-server flush` must find the daemon from the moment a table exists.
    const control = await startDaemonControl({
      stateDir: config.stateDir,
      grants,
      metrics,
      log,
      clock,
      shape: () => {
        const checkedAgoMs = witness.vouchedAgoMs();
        const { backend, table } = config.firewall;
        return checkedAgoMs === undefined ? undefined : { backend, table, checkedAgoMs };
      },
    });
    cleanups.push(() => control.close());
    // The gate drops every tag it was not given. A small fleet's tags are handed over before the
    // setup, which installs them with the table in the same transaction. A large fleet's (30,000 for
    // 10,000 keys: a one-shot nft of a third of a second) follow once the daemon listens: until
    // they are in, the setup leaves the gate as the kernel holds it (a new table's empty set, closed
    // to every knock; on a restart the last run's tags, so its clients are not locked out).
    const gate = driver.knockGate && createKnockGateSync(driver.knockGate, log, metrics);
    const tagsAfterStart = gate !== undefined && config.clients.length > TAGS_WITH_SETUP_MAX_KEYS;
    // The part of a start that grows with the fleet (agreements of keys no cache held, tags), told at `listening`.
    let tableMs = 0;
    const building = (): Promise<Runtime> => {
      const began = performance.now();
      return createRuntime(config, backend, build).finally(() => (tableMs = performance.now() - began));
    };
    runtime = await setUpWithRuntime(config, building, grants, gate, tagsAfterStart);
    advanceTags(runtime, clock());
    cleanups.push(() => driver.close());
    // nft lists the grant sets while the check path is compiled: both come before the sockets, so
    // the first real knock finds the check path compiled and OpenSSL set up, and no grant the new
    // configuration refuses outlives the start. Never rejects.
    const inherited = inheritGrants({ driver, grants, log, runtime, clock });
    warmCheckPath(runtime, clock());
    await inherited;
    if (gate) cleanups.push(() => gate.idle());
    const check = (): void => void grants.checkIntegrity();
    const watch = await watchDriver(driver, check, log, [witness, planner], metrics);
    cleanups.push(async () => watch?.close());

    const { pipeline, limiter, clientLimiter } = configuredPipeline(config, {
      runtime: () => runtime,
      replay,
      grants,
      log,
      metrics,
      clock,
      spent: gate?.spent,
    });
    cleanups.push(async () => {
      await pipeline.idle();
      pipeline.close();
    });

    const receiver: Receiver = await bindReceivers(config.listen, pipeline.receive, (error, at) =>
      log.event('error', 'socket.error', { listen: formatHostPort(at), error: error.message }),
    );
    cleanups.push(() => receiver.close());

    const endpoint = config.metrics
      ? await serveMetrics(config.metrics, metrics.snapshot, driver.knockGate?.drops, log)
      : undefined;
    if (endpoint) cleanups.push(() => endpoint.close());

    const stopMaintenance = startMaintenance(
      { grants, hooks, replay, log, clock, gate, events: watch !== undefined, current: () => runtime },
      deps.intervals,
    );
    cleanups.push(async () => stopMaintenance());

    log.event('info', 'daemon.listening', {
      listen: receiver.addresses.map(formatHostPort),
      metrics: endpoint ? formatHostPort(endpoint.address) : undefined,
      firewall: driver.name,
      firewallEvents: watch !== undefined,
      clients: config.clients.length,
      replayEntries: recovery.loaded,
      replayStore,
      // Since the process started: Node, the configuration, the table, nft.
      startMs: Math.round(performance.now()),
      // CPU the process used so far (every thread: the agreement worker's too), ms: on a shared or
      // throttled host wall-clock varies run to run with the neighbours, CPU time much less.
      cpuMs: Math.round(cpuMsSoFar()),
      tableMs: Math.round(tableMs),
      // Of the keys no cache held, those handed to the worker thread (config/agreements-ahead.ts),
      // and of them those it derived: this thread the rest (a worker slow to start derives few).
      keysHandedAhead: deps.keyCache?.ahead.handed ?? 0,
      keysDerivedAhead: deps.keyCache?.ahead.derived ?? 0,
      message: 'listening',
    });
    warnSourceMode(log, config);
    let stopped = false;
    const keys = startKeyUpkeep(deps.keyCache, () => runtime, log);
    cleanups.push(() => keys.stop());
    const background = (): void => {
      if (stopped) return;
      keys.save(runtime);
      keys.kick();
    };
    // A large fleet's gate first: the key cache's save and the background checks, which would share
    // the event loop's turns with the tags' encoding, follow its first try.
    if (gate && tagsAfterStart)
      void fillGateAfterStart(
        gate,
        () => runtime,
        log,
        () => stopped,
        background,
      );
    else background();

    const reloads = serialReloads({
      backend,
      build,
      saveKeys: keys.save,
      grants,
      hooks,
      limiter,
      clientLimiter,
      pipeline,
      log,
      replay,
      clock,
      current: () => runtime,
      swap: (next) => {
        // The tags of the epochs around now, made before the swap: on a reload of a large fleet the
        // HMACs are the reload's cost, not the next datagram's.
        advanceTags(next, clock());
        runtime = next;
        // Added clients' knocks pass the kernel once this lands; removed ones' tags go with it.
        void gate?.syncTags(next);
        keys.kick();
      },
      stopped: () => stopped,
    });

    return {
      addresses: receiver.addresses,
      metricsAddress: endpoint?.address,
      metrics: metrics.snapshot,
      reload: reloads.reload,
      async stop() {
        if (stopped) return;
        stopped = true;
        await reloads.settled();
        await keys.stop();
        log.event('info', 'daemon.stopping', { message: 'stopping' });
        // Reverse order of start: sockets first (no new input), then in-flight knocks, then state.
        await cleanup();
      },
      idle: () => pipeline.idle(),
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** User and system CPU time of the whole process since it started, in ms. */
function cpuMsSoFar(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
