/** A real OpenSSH sshd inside a lab host, with its own host key, user key, authorized_keys and config in a temp dir. @module */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Host } from './netns.js';
import { waitForOutput } from './wait-output.js';

export interface Sshd {
  readonly port: number;
  /** The user's private key file (ed25519, no passphrase) that authorized_keys accepts. */
  readonly identityFile: string;
  /** Arguments for `ssh` logging in as root on address:port and running `command` (no user config, batch mode); `extraOptions` (`-o K=V` pairs) win over the defaults. */
  sshArgs(address: string, command: readonly string[], extraOptions?: readonly string[]): string[];
  stop(): Promise<void>;
}

/**
 * Starts `sshd -D -e -f CONFIG` in `host` on `port` (all addresses, both families), and on `extraPorts`
 * too (the same daemon reached where no firewall rule applies); resolves once it listens on all.
 */
export async function startSshd(
  host: Host,
  dir: string,
  port: number,
  extraPorts: readonly number[] = [],
): Promise<Sshd> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // sshd's privilege-separation chroot is compiled in; Debian creates it only when the service starts.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  const identityFile = join(dir, 'id_ed25519');
  for (const file of [hostKey, identityFile]) {
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'spa-test', '-f', file]);
  }
  await writeFile(join(dir, 'authorized_keys'), await readFile(`${identityFile}.pub`), { mode: 0o600 });
  const config = join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      ...[port, ...extraPorts].map((p) => `Port ${p}`),
      'ListenAddress 0.0.0.0',
      'ListenAddress ::',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      // With PAM off, sshd refuses an account whose password field starts with "!" (locked).
      `UsePAM ${(await rootAccountLocked()) ? 'yes' : 'no'}`,
      // The temp dir's owner and modes are not what sshd expects of a home directory.
      'StrictModes no',
      'LogLevel INFO',
      '',
    ].join('\n'),
  );
  const daemon = host.exec('/usr/sbin/sshd', ['-D', '-e', '-f', config], { reject: false });
  // sshd binds every port of each ListenAddress in turn: the last line names the last port on ::.
  await waitForOutput(daemon, 'stderr', `Server listening on :: port ${extraPorts.at(-1) ?? port}`);
  const knownHosts = join(dir, 'known_hosts');
  return {
    port,
    identityFile,
    sshArgs: (address, command, extraOptions = []) => [
      '-F',
      '/dev/null',
      // ssh keeps the first value it reads for an option, so these override the defaults below.
      ...extraOptions,
      '-i',
      identityFile,
      '-p',
      String(port),
      ...[
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        'BatchMode=yes',
        '-o',
        'ConnectTimeout=3',
        '-o',
        'LogLevel=ERROR',
      ],
      ...['-o', 'StrictHostKeyChecking=accept-new', '-o', `UserKnownHostsFile=${knownHosts}`],
      ...['-o', 'GlobalKnownHostsFile=/dev/null'],
      `root@${address}`,
      ...command,
    ],
    async stop() {
      daemon.kill('SIGTERM');
      await daemon;
    },
  };
}

async function rootAccountLocked(): Promise<boolean> {
  const shadow = await readFile('/etc/shadow', 'utf8').catch(() => '');
  const root = shadow.split('\n').find((line) => line.startsWith('root:'));
  return root?.split(':')[1]?.startsWith('!') ?? false;
}
