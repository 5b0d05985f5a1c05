/** Finding tools: a clear FIREWALL_TOOL_MISSING instead of a spawn error deep in a grant. */
import { describe, expect, it } from 'vitest';
import { SERVER_ERROR_CODES } from '../../shared/server-error.js';
import { firstLine, resolveTool, runTool, searchDirs } from './tool-command.js';

describe('resolveTool', () => {
  it('accepts an absolute path to an executable', async () => {
    await expect(resolveTool(process.execPath, 'nodejs')).resolves.toBe(process.execPath);
  });

  it('finds a bare name in PATH', async () => {
    await expect(resolveTool('sh', 'dash')).resolves.toMatch(/\/sh$/);
  });

  it.each(['/nonexistent/nft', 'spa-no-such-tool', '/usr/sbin'])(
    'reports %s as missing, naming the package',
    async (path) => {
      await expect(resolveTool(path, 'nftables')).rejects.toMatchObject({
        code: SERVER_ERROR_CODES.firewallToolMissing,
        message: expect.stringContaining('install the nftables package'),
      });
    },
  );

  it('searches the sbin directories even when PATH lacks them', () => {
    expect(searchDirs('/usr/bin:relative/dir')).toEqual([
      '/usr/bin',
      '/usr/local/sbin',
      '/usr/sbin',
      '/sbin',
    ]);
  });
});

describe('runTool', () => {
  it('passes stdin and arguments without a shell and reports the exit status', async () => {
    const tool = { file: process.execPath, prefix: [], name: 'node' };
    const script = 'process.stdin.pipe(process.stdout); process.exitCode = Number(process.argv[1])';
    const result = await runTool(tool, ['-e', script, '3'], { input: '$(id); `id`', timeoutMs: 5000 });
    expect(result).toEqual({ exitCode: 3, stdout: '$(id); `id`', stderr: '' });
  });

  it('picks the first meaningful error line', () => {
    expect(firstLine('# Warning: legacy tables\n\niptables: No chain/target/match by that name.\n')).toBe(
      'iptables: No chain/target/match by that name.',
    );
  });
});
