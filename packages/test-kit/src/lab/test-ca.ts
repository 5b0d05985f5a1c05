/** A throwaway certificate authority and one server certificate for it, made with the openssl CLI at test time. @module */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface TestCa {
  readonly dir: string;
  /** PEM of the CA certificate: what a client is told to trust. */
  readonly caFile: string;
  /** The server's certificate (signed by the CA) and its key. */
  readonly certFile: string;
  readonly keyFile: string;
  cleanup(): Promise<void>;
}

/** `names` become the certificate's subjectAltName: IP addresses as IP:, others as DNS:. */
export async function createTestCa(names: readonly string[]): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'spa-ca-'));
  const f = (name: string): string => join(dir, name);
  const openssl = (args: readonly string[]) => execa('openssl', args, { cwd: dir });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=spa test CA',
  ]);
  await openssl([
    'req',
    ...ec,
    '-keyout',
    f('server.key'),
    '-out',
    f('server.csr'),
    '-subj',
    '/CN=spa test echo',
  ]);
  const san = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  await writeFile(f('ext.cnf'), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
  await openssl([
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('ext.cnf'),
    '-out',
    f('server.pem'),
  ]);
  return {
    dir,
    caFile: f('ca.pem'),
    certFile: f('server.pem'),
    keyFile: f('server.key'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
