/** The action's inputs: required ones named when missing, and no input can smuggle in a client option. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { knockArguments, readActionInputs } from './action-inputs.js';

const KEY = 'spa-ed25519-private:AAAA';
const base = {
  INPUT_HOST: 'deploy.example.com',
  'INPUT_SERVER-KEY': 'spa-x25519:BBBB',
  'INPUT_PRIVATE-KEY': KEY,
  INPUT_SERVICES: 'tcp/22, tcp/443',
  INPUT_DURATION: '900',
  'INPUT_ALLOW-IP': '',
  'INPUT_SPA-PORT': '',
  INPUT_TIMEOUT: '20',
};

describe('action inputs', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });
  const quiet = () => vi.spyOn(process.stdout, 'write').mockImplementation(() => true);

  it('turns the inputs into open and close arguments, never with the key', () => {
    quiet();
    const inputs = readActionInputs(base);
    const open = knockArguments('open', inputs);
    expect(open).toEqual([
      'tcp/22',
      'tcp/443',
      '--host=deploy.example.com',
      '--server-key=spa-x25519:BBBB',
      '--json',
      '--wait',
      '--duration=900',
      '--timeout=20',
    ]);
    expect(knockArguments('close', inputs, ['198.51.100.7'])).toEqual([
      'tcp/22',
      'tcp/443',
      '--host=deploy.example.com',
      '--server-key=spa-x25519:BBBB',
      '--json',
      '--allow-ip=198.51.100.7',
    ]);
    expect(JSON.stringify(open)).not.toContain('AAAA');
  });

  it('waits only when some service can be probed: udp/PORT alone is knocked for without --wait', () => {
    quiet();
    const udp = readActionInputs({ ...base, INPUT_SERVICES: 'udp/51820' });
    expect(knockArguments('open', udp)).toEqual([
      'udp/51820',
      '--host=deploy.example.com',
      '--server-key=spa-x25519:BBBB',
      '--json',
      '--duration=900',
    ]);
    const mixed = readActionInputs({ ...base, INPUT_SERVICES: 'udp/51820 tcp/22' });
    expect(knockArguments('open', mixed)).toEqual(expect.arrayContaining(['--wait', '--timeout=20']));
    const named = readActionInputs({ ...base, INPUT_SERVICES: 'ssh' });
    expect(knockArguments('open', named)).toContain('--wait');
  });

  it('masks the key before it can refuse anything', () => {
    const write = quiet();
    expect(() => readActionInputs({ ...base, INPUT_HOST: '' })).toThrow('input "host" is required');
    expect(write).toHaveBeenCalledWith(`::add-mask::${KEY}\n`);
  });

  it('refuses a service that would be read as an option', () => {
    quiet();
    expect(() => readActionInputs({ ...base, INPUT_SERVICES: 'tcp/22 --key /etc/shadow' })).toThrow(
      'input "services": "--key" is not a service',
    );
    const inputs = readActionInputs({ ...base, INPUT_HOST: '--config=/tmp/x' });
    expect(knockArguments('open', inputs)).toContain('--host=--config=/tmp/x');
  });
});
