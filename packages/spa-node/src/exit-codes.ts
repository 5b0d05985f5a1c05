/** The exit codes of both CLIs, one scheme (docs/exit-codes.md): sysexits.h, plus 1 and LSB status's 3. @module */

/** Scripts depend on these numbers, so a number never changes meaning; the doc's table is tested against this. */
export const EXIT_CODES = {
  ok: 0,
  /** The server's failures while doing the work: the firewall, a socket, a file. */
  failure: 1,
  /** `spa-server status`: a configured port may accept anyone (LSB status's "not running"). */
  unprotected: 3,
  /** EX_USAGE: bad arguments or option values. */
  usage: 64,
  /** EX_DATAERR: a key missing, malformed or readable by others. */
  dataError: 65,
  /** EX_NOHOST: the host name does not resolve. */
  noHost: 68,
  /** EX_UNAVAILABLE: the network or a discovery source failed. */
  unavailable: 69,
  /** EX_SOFTWARE: a bug. */
  software: 70,
  /** EX_CANTCREAT: a file exists or cannot be created. */
  cannotCreate: 73,
  /** EX_IOERR: a relayed connection broke. */
  ioError: 74,
  /** EX_TEMPFAIL: the port did not open in time; try again later. */
  tempFail: 75,
  /** EX_PROTOCOL: discovery sources disagree. */
  protocol: 76,
  /** EX_CONFIG: the configuration or profile is invalid; nothing was started or changed. */
  config: 78,
} as const;
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
