/** The release artifacts in dist/ (scripts/build-artifacts.sh), built for tests when missing or older than the sources. @module */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export const ROOT: string = join(import.meta.dirname, '..', '..', '..', '..');
export const DIST: string = join(ROOT, 'dist');
const VERSION = '0.1.0';

/** dist/ paths of the x64 artifacts. */
export const ARTIFACTS = {
  serverBin: join(DIST, 'spa-server-linux-x64'),
  clientBin: join(DIST, 'spa-client-linux-x64'),
  serverDeb: join(DIST, `spa-server_${VERSION}_amd64.deb`),
  clientDeb: join(DIST, `spa-client_${VERSION}_amd64.deb`),
  sums: join(DIST, 'SHA256SUMS'),
} as const;

/** Newest modification time under `dir` (files only), 0 when it does not exist. */
function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/**
 * Builds dist/ (x64 only: arm64 needs minutes under qemu) unless every x64 artifact is there and
 * the build is newer than the sources and packaging. flock: test files running at once build once, the others wait.
 */
export async function ensureArtifacts(): Promise<typeof ARTIFACTS> {
  const sources = Math.max(
    ...[
      'packages/spa-server/src',
      'packages/spa-client/src',
      'packages/spa-protocol/src',
      'packaging/sea',
      'packaging/deb',
    ].map((d) => newest(join(ROOT, d))),
  );
  // SHA256SUMS carries the time the build started (as build-artifacts.sh --if-stale sees it).
  const fresh = (): boolean =>
    Object.values(ARTIFACTS).every((p) => existsSync(p)) && statSync(ARTIFACTS.sums).mtimeMs > sources;
  if (fresh()) return ARTIFACTS;
  await execa(
    'flock',
    [
      join(ROOT, '.dist.lock'),
      'bash',
      join(ROOT, 'scripts', 'build-artifacts.sh'),
      '--x64-only',
      '--if-stale',
    ],
    {
      cwd: ROOT,
      timeout: 900_000,
    },
  );
  if (!fresh()) throw new Error('scripts/build-artifacts.sh did not produce every x64 artifact');
  return ARTIFACTS;
}
