/** SIGHUP while the daemon starts: held and replayed as one reload once it listens, never Node's default (exit). @module */

/**
 * Until runDaemon has a daemon to reload, Node's default for SIGHUP ends the process (status 129).
 * A `systemctl reload` right after `start` (Type=simple allows it), or a configuration tool that
 * writes a client file and signals the daemon while it starts, would then leave the firewall's
 * protection without a daemon to open it; and systemd's Restart=on-failure does not restart a
 * service that a SIGHUP ended cleanly. So the signal is caught from the run's first line and
 * replayed as one reload once the daemon is up: the reload reads the files again, so a change made
 * during the start is not lost. SIGTERM and SIGINT keep their default: a start stopped by hand ends.
 * One that lands before the run's first line (Node's own boot, the bundle's compile) still ends the
 * process: the systemd unit restarts it then (RestartForceExitStatus=SIGHUP).
 */
export interface HeldHangups {
  /** Stops holding; true when a SIGHUP arrived meanwhile. */
  release(): boolean;
}

export function holdHangups(): HeldHangups {
  let arrived = false;
  const onHangup = (): void => {
    arrived = true;
  };
  process.on('SIGHUP', onHangup);
  return {
    release() {
      process.off('SIGHUP', onHangup);
      return arrived;
    },
  };
}
