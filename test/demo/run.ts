/** The demo: what the suite does, step by step in plain words. @module */
import { packetWalkthrough } from './packet-walkthrough.js';

console.log('SPA demo: one packet, built by a client and checked by a server\n');
process.exit(packetWalkthrough() ? 0 : 1);
