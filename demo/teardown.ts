/** Cleanup that runs exactly once, in reverse order, whether the demo ends, fails, or gets SIGINT/SIGTERM/SIGHUP. @module */

export interface Teardown {
  /** Registers a cleanup action; actions run last-registered first. */
  add(action: () => unknown): void;
  /** Runs every action once (later calls wait for the first); errors are reported, never thrown. */
  run(): Promise<void>;
}

const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;

export function createTeardown(): Teardown {
  const actions: (() => unknown)[] = [];
  let running: Promise<void> | undefined;
  const teardown: Teardown = {
    add(action) {
      actions.push(action);
    },
    run() {
      running ??= (async () => {
        for (const action of actions.splice(0).reverse()) {
          try {
            await action();
          } catch (error) {
            console.error(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
      })();
      return running;
    },
  };
  let caught = false;
  for (const [signal, number] of Object.entries(SIGNALS)) {
    // `on`, not `once`: execa's signal-exit re-raises a signal that no other listener handles, which
    // would kill the demo halfway through its cleanup. A second Ctrl-C waits for the first one's.
    process.on(signal, () => {
      if (caught) return;
      caught = true;
      console.error(`\n${signal}: cleaning up`);
      // The shell convention for "killed by signal N", so callers see the demo did not finish.
      void teardown.run().finally(() => process.exit(128 + number));
    });
  }
  return teardown;
}
