/** Finding the firewall tools, wrapping them in `ip netns exec`, and running one-shot commands. @module */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { SERVER_ERROR_CODES, ServerError } from '../../shared/server-error.js';
import type { ToolCommand } from '../driver.js';

export type { ToolCommand } from '../driver.js';

export interface ToolResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

// Daemons often start with a minimal PATH that lacks the sbin directories the tools live in.
const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];
/** Cap on one-shot output (a listing of 2 × 65,536 grants is about 20 MB of JSON). */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** Directories searched for a bare tool name: PATH, then the sbin directories. */
export function searchDirs(path = process.env.PATH ?? ''): string[] {
  return [...new Set([...path.split(delimiter).filter((d) => d.startsWith('/')), ...SBIN_DIRS])];
}

/**
 * Resolves `path` (absolute, or a bare name searched in PATH and sbin) to an executable file, or
 * throws FIREWALL_TOOL_MISSING with a one-line hint naming the Debian package.
 */
export async function resolveTool(path: string, debianPackage: string): Promise<string> {
  const candidates = path.includes('/') ? [path] : searchDirs().map((dir) => join(dir, path));
  for (const candidate of candidates) {
    try {
      // access() alone passes any file for root; a tool is a regular file with an execute bit.
      await access(candidate, constants.X_OK);
      const info = await stat(candidate);
      if (info.isFile() && (info.mode & 0o111) !== 0) return candidate;
    } catch {
      // Try the next directory.
    }
  }
  // server.json has no option for tool paths: the hint names only what a user can act on.
  const what = path.includes('/')
    ? `${path} is missing or not executable`
    : `${path} not found in PATH or ${SBIN_DIRS.join(', ')}`;
  throw new ServerError(
    SERVER_ERROR_CODES.firewallToolMissing,
    `${what}: install the ${debianPackage} package`,
  );
}

/** The command that runs `tool` directly, or inside network namespace `netns` through `ip netns exec`. */
export async function toolCommand(
  path: string,
  debianPackage: string,
  netns: string | undefined,
): Promise<ToolCommand> {
  const file = await resolveTool(path, debianPackage);
  const name = file.slice(file.lastIndexOf('/') + 1);
  if (netns === undefined) return { file, prefix: [], name };
  const ip = await resolveTool('ip', 'iproute2');
  return { file: ip, prefix: ['netns', 'exec', netns, file], name };
}

/** Runs a tool once with an argument array (and optional stdin); never rejects for a non-zero exit. */
export async function runTool(
  tool: ToolCommand,
  args: readonly string[],
  options: { readonly input?: string; readonly timeoutMs: number },
): Promise<ToolResult> {
  const result = await execa(tool.file, [...tool.prefix, ...args], {
    input: options.input ?? '',
    reject: false,
    timeout: options.timeoutMs,
    maxBuffer: MAX_OUTPUT_BYTES,
    // nft -i and friends must not read or write history files in the daemon's home.
    env: { HOME: '/dev/null' },
  });
  if (result.failed && result.exitCode === undefined) {
    // Spawn failure, timeout or signal: there is no exit status to interpret.
    const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT') {
      throw new ServerError(SERVER_ERROR_CODES.firewallToolMissing, `${tool.name} could not be started`, {
        cause: result,
      });
    }
    throw new ServerError(
      SERVER_ERROR_CODES.firewallCommandFailed,
      `${describe(tool, args)}: ${result.shortMessage}`,
      {
        cause: result,
      },
    );
  }
  return { exitCode: result.exitCode ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a tool once and requires exit status 0; otherwise FIREWALL_COMMAND_FAILED with its first error line. */
export async function runToolOk(
  tool: ToolCommand,
  args: readonly string[],
  options: { readonly input?: string; readonly timeoutMs: number },
): Promise<ToolResult> {
  const result = await runTool(tool, args, options);
  if (result.exitCode !== 0) {
    throw new ServerError(
      SERVER_ERROR_CODES.firewallCommandFailed,
      `${describe(tool, args)} exited with ${result.exitCode}: ${firstLine(result.stderr)}`,
      { cause: result },
    );
  }
  return result;
}

/** The first meaningful line of a tool's error output (iptables-nft prefixes warnings with '#'). */
export function firstLine(text: string): string {
  const lines = text.split('\n').map((line) => line.trim());
  return lines.find((line) => line !== '' && !line.startsWith('#')) ?? '(no error output)';
}

function describe(tool: ToolCommand, args: readonly string[]): string {
  return [tool.name, ...args].join(' ').slice(0, 200);
}
