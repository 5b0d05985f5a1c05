/** The pipeline with its rate limiters as a configuration sets them: the one wiring the daemon and its tests share. @module */
import type { ResolvedConfig } from '../config/resolved-config.js';
import { type ClientLimiter, createClientLimiter } from './client-limiter.js';
import { createPipeline, type Pipeline, type PipelineDeps } from './pipeline.js';
import { createRateLimiter, type RateLimiter } from './rate-limiter.js';

/** What the pipeline needs besides what the configuration decides (limiters, queue size). */
export type PipelineParts = Omit<PipelineDeps, 'limiter' | 'clientLimiter' | 'queueSize'>;

/** The pipeline, and its limiters for a reload to reconfigure. */
export interface ConfiguredPipeline {
  readonly pipeline: Pipeline;
  readonly limiter: RateLimiter;
  readonly clientLimiter: ClientLimiter;
}

export function configuredPipeline(
  config: Pick<ResolvedConfig, 'rateLimit' | 'queueSize'>,
  parts: PipelineParts,
): ConfiguredPipeline {
  const { rateLimit } = config;
  const { clock } = parts;
  const limiter = createRateLimiter({
    rate: rateLimit.perSourceRate,
    burst: rateLimit.perSourceBurst,
    maxSources: rateLimit.maxSources,
    clock,
  });
  const clientLimiter = createClientLimiter({
    rate: rateLimit.perClientRate,
    burst: rateLimit.perClientBurst,
    clock,
  });
  const pipeline = createPipeline({ ...parts, limiter, clientLimiter, queueSize: config.queueSize });
  return { pipeline, limiter, clientLimiter };
}
