/** The client as a library, for programs that drive it without its command line (the GitHub Action). @module */
export { runKnock } from './cli/commands/knock.js';
export { CLIENT_ERROR_CODES, ClientError, toClientError } from './cli/errors.js';
export type { Output } from './cli/output.js';
export { formatHuman, type KnockReport } from './knock/knock-report.js';
