// @ts-check
// A forward proxy on loopback, like a runner's HTTPS_PROXY / HTTP_PROXY: CONNECT tunnels for
// https targets and absolute-form requests for http ones. Host names are routed to local
// servers (never resolved), so a test can give the action a non-loopback name, which a
// proxy-aware client must send through the proxy, while nothing leaves the machine.
import http from 'node:http'
import net from 'node:net'
import tls from 'node:tls'

/**
 * @typedef {{ method: string, target: string, authorization?: string }} ProxyEntry
 * @typedef {{
 *   url: string, log: ProxyEntry[], close: () => Promise<void>
 * }} ProxySimulator
 */

/**
 * @param {{ routes: Record<string, string> }} options
 *   routes: `host:port` as the client asks for it → `127.0.0.1:port` it is sent to, or `hang`
 *   for a proxy that accepts the CONNECT and never answers it.
 * @returns {Promise<ProxySimulator>}
 */
export async function startProxySimulator({ routes }) {
  /** @type {ProxyEntry[]} */
  const log = []
  /** @type {Set<import('node:stream').Duplex>} tunnels leave the server's own bookkeeping */
  const tunnels = new Set()
  const server = http.createServer((req, res) => {
    const target = new URL(req.url ?? '/')
    const authority = `${target.hostname}:${target.port || 80}`
    log.push({ method: req.method ?? 'GET', target: target.href, authorization: auth(req) })
    const route = routes[authority]
    if (!route) {
      res.writeHead(502).end(`no route to ${authority}`)
      return
    }
    const [host, port] = route.split(':')
    const upstream = http.request(
      {
        host,
        port: Number(port),
        method: req.method,
        path: target.pathname + target.search,
        headers: req.headers
      },
      answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      }
    )
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  server.on('connect', (req, socket, head) => {
    const authority = req.url ?? ''
    log.push({ method: 'CONNECT', target: authority, authorization: auth(req) })
    tunnels.add(socket)
    socket.on('close', () => tunnels.delete(socket))
    const route = routes[authority]
    if (route === 'hang') return
    if (!route) {
      socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n')
      return
    }
    const [host, port] = route.split(':')
    const upstream = net.connect(Number(port), host, () => {
      tunnels.add(upstream)
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length) upstream.write(head)
      upstream.pipe(socket)
      socket.pipe(upstream)
    })
    upstream.on('error', () => socket.destroy())
    socket.on('error', () => upstream.destroy())
  })
  await new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(undefined)))
  const { port } = /** @type {net.AddressInfo} */ (server.address())
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise(resolve => {
        for (const socket of tunnels) socket.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/**
 * A TLS front for a plain-http simulator: what a CONNECT tunnel to an https host reaches.
 * @param {{ key: string, cert: string, to: string }} options to: the simulator's origin
 * @returns {Promise<{ address: string, close: () => Promise<void> }>}
 */
export async function startTlsFront({ key, cert, to }) {
  const { hostname, port } = new URL(to)
  /** @type {Set<net.Socket>} */
  const sockets = new Set()
  const server = tls.createServer({ key, cert }, socket => {
    const upstream = net.connect(Number(port), hostname)
    sockets.add(socket).add(upstream)
    socket.pipe(upstream).pipe(socket)
    socket.on('error', () => upstream.destroy())
    upstream.on('error', () => socket.destroy())
  })
  await new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(undefined)))
  const address = /** @type {net.AddressInfo} */ (server.address())
  return {
    address: `127.0.0.1:${address.port}`,
    close: () =>
      new Promise(resolve => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

/** @param {http.IncomingMessage} req */
function auth(req) {
  const value = req.headers['proxy-authorization']
  return Array.isArray(value) ? value[0] : value
}
