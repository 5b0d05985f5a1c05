/** `--allow-ip auto`: the local address the kernel's route to the host uses, found by connecting a UDP socket. @module */
import { createSocket } from 'node:dgram';
import { isGrantable, parseAddress } from 'spa-protocol';
import type { HostAddress } from './resolve-host.js';

/**
 * connect() on a UDP socket sends nothing: it only makes the kernel pick the route and source
 * address, which socket.address() then reports. Undefined when there is no route in that family.
 */
export function localAddressToward(target: HostAddress, port: number): Promise<string | undefined> {
  const socket = createSocket({ type: target.family === 4 ? 'udp4' : 'udp6' });
  return new Promise<string | undefined>((resolve) => {
    const finish = (value: string | undefined): void => {
      socket.close();
      resolve(value);
    };
    socket.on('error', () => finish(undefined));
    // The callback gets the error (ENETUNREACH: no route in this family) instead of an 'error' event.
    socket.connect(port, target.address, (error?: Error) => {
      if (error) return finish(undefined);
      const local = parseAddress(socket.address().address);
      finish(local && isGrantable(local) ? local.text : undefined);
    });
  });
}
