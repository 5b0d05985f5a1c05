/** Whether a table carries flags (dormant), read from nft's text listing, which names them properly where nft 1.0.6's JSON does not. @module */
import { runTool, type ToolCommand } from './tool-command.js';

/**
 * Whether `nft -t list table FAMILY NAME`'s text carries flags: nft prints them on the line right
 * after the table's opening line, before its comment and any object, so no comment or rule can fake
 * or hide that line (lines nft may print before the table, warnings, are skipped).
 */
export function listsFlags(text: string): boolean {
  const lines = text.split('\n');
  const table = lines.findIndex((line) => line.startsWith('table '));
  return table !== -1 && (lines[table + 1] ?? '').startsWith('\tflags ');
}

/** Whether the table is flagged now; false when nft cannot list it (absent). */
export async function tableFlagged(
  nft: ToolCommand,
  family: string,
  name: string,
  timeoutMs: number,
): Promise<boolean> {
  const listed = await runTool(nft, ['-t', 'list', 'table', family, name], { timeoutMs });
  return listed.exitCode === 0 && listsFlags(listed.stdout);
}
