/** The nftables driver's listings: a one-shot `nft -j` each, or the daemon's resident listers (nft-lister.ts). @module */
import { SERVER_ERROR_CODES, ServerError } from '../../shared/server-error.js';
import { runTool, type ToolCommand } from '../process/tool-command.js';
import { NFT_ENOENT_TEXT, NftLister } from './nft-lister.js';

export class NftListing {
  readonly #resident: boolean;
  readonly #timeoutMs: number;
  /** Resident listers, plain and terse (`-t`), made at first use. */
  readonly #listers: [NftLister | undefined, NftLister | undefined] = [undefined, undefined];

  constructor(resident: boolean, timeoutMs: number) {
    this.#resident = resident;
    this.#timeoutMs = timeoutMs;
  }

  /** `nft -j ARGS` (ARGS may start with `-t`), or undefined when what it names does not exist. */
  async list(tool: ToolCommand, args: readonly string[]): Promise<string | undefined> {
    if (this.#resident) {
      const terse = args[0] === '-t';
      const at = terse ? 1 : 0;
      this.#listers[at] ??= new NftLister(tool, terse, this.#timeoutMs);
      return this.#listers[at].list(terse ? args.slice(1) : args);
    }
    const result = await runTool(tool, ['-j', ...args], { timeoutMs: this.#timeoutMs });
    if (result.exitCode !== 0) {
      if (result.stderr.includes(NFT_ENOENT_TEXT)) return undefined;
      throw new ServerError(
        SERVER_ERROR_CODES.firewallCommandFailed,
        `nft ${args.join(' ')} failed: ${result.stderr.trim()}`,
      );
    }
    return result.stdout;
  }

  async close(): Promise<void> {
    await Promise.all(this.#listers.map((lister) => lister?.close()));
  }
}
