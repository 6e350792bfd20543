// Unit tests must not touch the network: any attempt fails loudly instead of passing by luck.
import net from 'node:net';

const refuse = (): never => {
  throw new Error('Unit tests must not open network connections; write an integration test');
};
globalThis.fetch = refuse;
net.Socket.prototype.connect = refuse;
