import * as http from 'node:http'
import * as https from 'node:https'
import * as tls from 'node:tls'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'

/**
 * The runner's proxy settings, read the way @actions/http-client reads them (HTTPS_PROXY or
 * HTTP_PROXY by the target's scheme, lower case first; NO_PROXY by host, host:port, `.domain`
 * or `*`; loopback never proxied), so the action behaves like every other action on a runner.
 */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv = process.env): URL | undefined {
  if (bypassesProxy(target, env)) return undefined
  const value =
    target.protocol === 'https:'
      ? env.https_proxy || env.HTTPS_PROXY
      : env.http_proxy || env.HTTP_PROXY
  if (!value) return undefined
  // `proxy:3128` without a scheme is common; URL would read `proxy:` as the scheme.
  try {
    return new URL(/^[a-z][a-z\d+.-]*:\/\//i.test(value) ? value : `http://${value}`)
  } catch {
    return undefined
  }
}

function bypassesProxy(target: URL, env: NodeJS.ProcessEnv): boolean {
  const host = target.hostname.toUpperCase()
  if (host === 'LOCALHOST' || host.startsWith('127.') || host === '[::1]') return true
  const noProxy = env.no_proxy || env.NO_PROXY || ''
  const port = target.port || (target.protocol === 'https:' ? '443' : '80')
  const names = [host, `${host}:${port}`]
  return noProxy
    .split(',')
    .map(entry => entry.trim().toUpperCase())
    .filter(Boolean)
    .some(
      entry =>
        entry === '*' ||
        names.some(
          name =>
            name === entry ||
            name.endsWith(`.${entry}`) ||
            (entry.startsWith('.') && name.endsWith(entry))
        )
    )
}

/** `Basic …` for credentials in the proxy URL, else undefined. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`
  return `Basic ${Buffer.from(credentials).toString('base64')}`
}

type ConnectionCallback = (error: Error | null, stream?: Duplex) => void

/**
 * An https agent whose connections go through the proxy: a CONNECT tunnel, then TLS to the
 * target inside it (certificate checked against the target's name, as without a proxy).
 */
export class TunnelAgent extends https.Agent {
  /** Tunnels still being opened: a proxy that never answers must not keep the process alive. */
  private readonly opening = new Set<http.ClientRequest>()

  constructor(private readonly proxy: URL) {
    super({ keepAlive: true })
  }

  override destroy(): void {
    for (const connect of this.opening) connect.destroy()
    this.opening.clear()
    super.destroy()
  }

  override createConnection(
    requestOptions: https.RequestOptions,
    callback?: (error: Error | null, stream: Duplex) => void
  ): undefined {
    // Node hands the agent its TLS options (ca, servername, …) along with host and port.
    const options = requestOptions as tls.ConnectionOptions & https.RequestOptions
    const done = (callback ?? (() => {})) as ConnectionCallback
    const host = options.hostname ?? options.host ?? 'localhost'
    const authority = `${host.includes(':') ? `[${host}]` : host}:${options.port ?? 443}`
    const auth = proxyAuthorization(this.proxy)
    const connect = (this.proxy.protocol === 'https:' ? https : http).request({
      host: this.proxy.hostname,
      port: this.proxy.port || (this.proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...(auth ? { 'proxy-authorization': auth } : {}) },
      agent: false
    })
    this.opening.add(connect)
    connect.once('close', () => this.opening.delete(connect))
    connect.once('connect', (response: http.IncomingMessage, socket: Socket) => {
      this.opening.delete(connect)
      if (response.statusCode !== 200) {
        socket.destroy()
        done(new ProxyError(`the proxy refused the tunnel (HTTP ${response.statusCode})`))
        return
      }
      done(null, tls.connect({ ...options, socket, servername: options.servername ?? host }))
    })
    connect.once('error', error => done(error))
    connect.end()
    return undefined
  }
}

/** The proxy itself failed or refused; never the target's answer. */
export class ProxyError extends Error {
  readonly code = 'EPROXY'
  constructor(message: string) {
    super(message)
    this.name = 'ProxyError'
  }
}
