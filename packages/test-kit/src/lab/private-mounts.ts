/** A wrapper command for a process that must see the filesystem changed (a path read-only, a tool hidden) without the host seeing it. @module */
import { agentPath } from '../agents/agent-path.js';

const WITH_MOUNTS = agentPath('with-mounts.mjs');

/**
 * `unshare --mount` with private propagation, then with-mounts.mjs applying `mounts` (e.g. '--ro',
 * DIR or '--hide', PATH) and exec'ing what follows the returned list.
 */
export function inPrivateMounts(...mounts: string[]): string[] {
  return ['unshare', '--mount', '--propagation', 'private', process.execPath, WITH_MOUNTS, ...mounts, '--'];
}
