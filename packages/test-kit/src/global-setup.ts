/** Vitest global setup: bundles the CLIs once (scripts/bundle.mjs), so tests run the real binaries. @module */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

const root = join(import.meta.dirname, '..', '..', '..');
const shared = globalThis as { spaCliBundles?: Promise<void> };

export default async function setup(): Promise<void> {
  // Every vitest project runs its global setup, in one process and maybe at once: build once, all wait.
  shared.spaCliBundles ??= bundleAll();
  await shared.spaCliBundles;
}

async function bundleAll(): Promise<void> {
  for (const name of ['spa-server', 'spa-client']) {
    // A package whose CLI entry is not written yet has nothing to bundle.
    if (!existsSync(join(root, 'packages', name, 'src', 'cli.ts'))) continue;
    await execa('node', [join(root, 'scripts', 'bundle.mjs'), name], { cwd: root, stdio: 'inherit' });
  }
}
