/** Worker thread: builds the knocks it is given (spa-knocks.ts) and posts them back, transferred. @module */
import { parentPort, workerData } from 'node:worker_threads';
import { buildKnock, fastBuilder, type KnockKeys, type KnockSpec } from './spa-knocks.js';

const { keys, specs } = workerData as { keys: KnockKeys; specs: KnockSpec[] };
const builder = fastBuilder(keys);
const knocks = specs.map((spec) => buildKnock(keys, spec, builder));
parentPort?.postMessage(
  knocks,
  knocks.map((k) => k.buffer as ArrayBuffer),
);
