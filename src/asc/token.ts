import type { KeyObject } from 'node:crypto'
import { SignJWT } from 'jose'
import { ASC } from '../constants.js'

export interface TokenOptions {
  keyId: string
  /** Empty for an individual key, which signs with `sub: "user"` instead. */
  issuerId?: string
  key: KeyObject
  /** Called with every new token before it is used, so it can be masked. */
  onMint: (token: string) => void
  nowSeconds?: () => number
}

/**
 * One ES256 token per run, as Apple asks: reused until it is close to expiry, then minted
 * again. Concurrent callers share the same signing.
 */
export class TokenSource {
  private current?: { token: string; exp: number }
  private pending?: Promise<string>
  private readonly now: () => number

  constructor(private readonly options: TokenOptions) {
    this.now = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000))
  }

  /** The key the tokens are signed for, to name it when App Store Connect refuses them. */
  get keyId(): string {
    return this.options.keyId
  }

  get(): Promise<string> {
    const current = this.current
    if (current && current.exp - this.now() > ASC.tokenRefreshMarginSeconds) {
      return Promise.resolve(current.token)
    }
    this.pending ??= this.mint().finally(() => (this.pending = undefined))
    return this.pending
  }

  private async mint(): Promise<string> {
    const { keyId, issuerId, key } = this.options
    const iat = this.now()
    const exp = iat + ASC.tokenLifetimeSeconds
    const jwt = new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: keyId, typ: 'JWT' })
      .setAudience(ASC.audience)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
    if (issuerId) jwt.setIssuer(issuerId)
    else jwt.setSubject('user')
    const token = await jwt.sign(key)
    this.options.onMint(token)
    this.current = { token, exp }
    return token
  }
}
