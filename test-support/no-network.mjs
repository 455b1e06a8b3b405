// @ts-check
// Loaded with `node --import` before a process under test: any attempt to open a socket, look up
// a host or send a request fails at once and says so on stderr ("no-network: …"). The tests that
// prove a command works offline run it under this guard; a control run shows it catches a gate.
import dgram from 'node:dgram'
import dns from 'node:dns'
import net from 'node:net'
import tls from 'node:tls'

/** @param {string} what */
const refuse = what => {
  process.stderr.write(`no-network: ${what} refused\n`)
  throw new Error(`no-network: ${what} refused`)
}

/** @type {Record<string, any>} */
const patch = { net, tls, dgram, dns }
net.Socket.prototype.connect = function connect() {
  return refuse('net.Socket.connect')
}
for (const [module, name] of [
  ['net', 'connect'],
  ['net', 'createConnection'],
  ['tls', 'connect'],
  ['dgram', 'createSocket'],
  ['dns', 'lookup']
]) {
  patch[module][name] = () => refuse(`${module}.${name}`)
}
dns.promises.lookup = async () => refuse('dns.promises.lookup')
