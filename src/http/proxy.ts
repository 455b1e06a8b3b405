import * as http from 'node:http'
import * as https from 'node:https'
import * as tls from 'node:tls'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { InputError } from '../errors.js'

/**
 * The runner's proxy settings, read the way @actions/http-client reads them (HTTPS_PROXY or
 * HTTP_PROXY by the target's scheme, lower case first; NO_PROXY by host, host:port, `.domain`
 * or `*`; loopback never proxied), so the action behaves like every other action on a runner.
 * A value that is not an http(s) URL is an InputError naming the variable: going direct instead
 * would bypass a proxy the runner requires, and quietly.
 */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv = process.env): URL | undefined {
  if (bypassesProxy(target, env)) return undefined
  const names = target.protocol === 'https:' ? PROXY_VARIABLES.https : PROXY_VARIABLES.http
  const name = names.find(n => env[n])
  if (!name) return undefined
  const value = env[name]!
  // `proxy:3128` without a scheme is common; URL would read `proxy:` as the scheme.
  let proxy: URL | undefined
  try {
    proxy = new URL(/^[a-z][a-z\d+.-]*:\/\//i.test(value) ? value : `http://${value}`)
  } catch {
    proxy = undefined
  }
  if (!proxy || !['http:', 'https:'].includes(proxy.protocol) || !proxy.hostname) {
    // The value is not quoted: it may hold the proxy's password.
    throw new InputError(
      `The environment variable ${name} is not a proxy URL the action can use; set it to one such as http://proxy.example.com:3128 (http or https, credentials percent-encoded), or unset it.`
    )
  }
  return proxy
}

/** Lower case first, as @actions/http-client reads them. */
const PROXY_VARIABLES = {
  https: ['https_proxy', 'HTTPS_PROXY'],
  http: ['http_proxy', 'HTTP_PROXY']
} as const

/** Only these are loopback: a name such as `127.example.com` is a host like any other. */
const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i

function bypassesProxy(target: URL, env: NodeJS.ProcessEnv): boolean {
  // URL writes an IPv4 literal in its four-number form (127.1 is 127.0.0.1), so a dotted quad
  // here is an address, never a name.
  if (LOOPBACK.test(target.hostname)) return true
  const host = target.hostname.toUpperCase()
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
  const credentials = Buffer.concat([
    percentDecoded(proxy.username),
    Buffer.from(':'),
    percentDecoded(proxy.password)
  ])
  return `Basic ${credentials.toString('base64')}`
}

/**
 * The bytes of a percent-encoded URL part. A `%` that starts no escape (`pa%ss`) is kept as
 * written, as a password typed without encoding means it.
 */
function percentDecoded(text: string): Buffer {
  const bytes: Buffer[] = []
  for (let i = 0; i < text.length;) {
    const escape = /^%[\da-f]{2}/i.exec(text.slice(i, i + 3))
    if (escape) {
      bytes.push(Buffer.from([parseInt(text.slice(i + 1, i + 3), 16)]))
      i += 3
    } else {
      const char = String.fromCodePoint(text.codePointAt(i)!)
      bytes.push(Buffer.from(char))
      i += char.length
    }
  }
  return Buffer.concat(bytes)
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
