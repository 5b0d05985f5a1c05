/** The client as a library, for programs that drive it without its command line (the GitHub Action). @module */
export { runKnock } from './commands/knock.js';
export { CLIENT_ERROR_CODES, ClientError, toClientError } from './errors.js';
export { formatHuman, type KnockReport } from './knock-report.js';
export type { Output } from './output.js';
