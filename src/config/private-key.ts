import { createECDH, createPrivateKey, type KeyObject } from 'node:crypto'
import { InputError } from '../errors.js'

const BEGIN = '-----BEGIN PRIVATE KEY-----'
const END = '-----END PRIVATE KEY-----'
const OTHER_PEM = /-----BEGIN ([A-Z0-9 ]+)-----/

export interface ParsedKey {
  key: KeyObject
  /** Every spelling of the key that could reach a log: the raw input, the PEM and its lines. */
  secrets: string[]
}

const AGAIN = 'paste the whole .p8 file again'

/**
 * Reads an App Store Connect .p8 key: PKCS#8 PEM, the PEM with literal `\n` escapes, the PEM
 * with its line breaks turned into spaces, or the base64 of the PEM. Messages never include
 * any part of the key.
 */
export function parsePrivateKey(input: string): ParsedKey {
  const raw = input.trim()
  if (!raw)
    throw new InputError(
      `Input 'private-key' is required: paste the contents of the AuthKey_<KEYID>.p8 file (for example from a secret).`
    )
  // A path is no secret: the file's contents are what the input needs.
  if (/^\S+\.p8$/i.test(raw) || /^(\.{0,2}\/|~\/)\S*$/.test(raw)) {
    throw new InputError(
      `Input 'private-key' looks like a file path; pass the file's contents instead (in a workflow, a secret that holds the whole .p8 text).`
    )
  }
  const text = toPemText(raw)
  const secrets = [
    raw,
    text,
    ...text.split(/\s+/).filter(part => part.length >= 8 && /^[A-Za-z0-9+/=]+$/.test(part))
  ]
  const start = text.indexOf(BEGIN)
  if (start < 0) {
    const kind = OTHER_PEM.exec(text)?.[1]
    throw new InputError(
      kind === 'EC PRIVATE KEY'
        ? `Input 'private-key' holds an 'EC PRIVATE KEY' PEM block (SEC1); App Store Connect expects the PKCS#8 form ('BEGIN PRIVATE KEY') of the .p8 file: convert it with \`openssl pkcs8 -topk8 -nocrypt -in key.pem\`.`
        : kind
          ? `Input 'private-key' holds a PEM block of type '${kind}'; App Store Connect keys are PKCS#8 ('BEGIN PRIVATE KEY'), as downloaded in the .p8 file.`
          : `Input 'private-key' is not a PEM key; paste the whole .p8 file, including the BEGIN and END lines (or its base64).`
    )
  }
  const end = text.indexOf(END, start)
  if (end < 0) {
    throw new InputError(
      `Input 'private-key' has its BEGIN PRIVATE KEY line but the END PRIVATE KEY line is missing; ${AGAIN}, down to '${END}'.`
    )
  }
  const body = text.slice(start + BEGIN.length, end).replace(/\s+/g, '')
  secrets.push(body)
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
    throw new InputError(
      `Input 'private-key' has characters between its BEGIN and END lines that are not base64; ${AGAIN}.`
    )
  }
  // Rewrapped at 64 columns: a PEM whose line breaks became spaces is read like the original.
  const pem = `${BEGIN}\n${body.match(/.{1,64}/g)!.join('\n')}\n${END}\n`
  let key: KeyObject
  try {
    key = createPrivateKey({ key: pem, format: 'pem' })
  } catch {
    throw new InputError(
      `Input 'private-key' could not be read as a PKCS#8 key; it looks truncated or damaged: ${AGAIN}.`
    )
  }
  const curve = key.asymmetricKeyDetails?.namedCurve
  if (key.asymmetricKeyType !== 'ec' || curve !== 'prime256v1') {
    const found =
      key.asymmetricKeyType === 'ec'
        ? `an EC key on ${curve}`
        : `an ${key.asymmetricKeyType?.toUpperCase()} key`
    throw new InputError(
      `Input 'private-key' holds ${found}; App Store Connect API keys are EC P-256 (ES256) keys.`
    )
  }
  if (!consistent(key)) {
    throw new InputError(
      `Input 'private-key' is damaged: its private part does not match the public key stored with it; ${AGAIN}.`
    )
  }
  return { key, secrets: [...new Set(secrets)] }
}

/**
 * Whether the private scalar yields the public point the key carries. OpenSSL loads a key
 * with damaged bytes in either part; WebCrypto (and so jose) then refuses to sign with it.
 */
function consistent(key: KeyObject): boolean {
  const { d, x, y } = key.export({ format: 'jwk' })
  if (!d) return false
  try {
    const ecdh = createECDH('prime256v1')
    ecdh.setPrivateKey(Buffer.from(d, 'base64url'))
    if (!x || !y) return true // no public part stored: nothing to disagree with
    const stored = Buffer.concat([
      Buffer.from([4]),
      Buffer.from(x, 'base64url'),
      Buffer.from(y, 'base64url')
    ])
    return ecdh.getPublicKey().equals(stored)
  } catch {
    return false
  }
}

function toPemText(raw: string): string {
  let text = raw
  if (!text.includes('-----BEGIN') && /^[A-Za-z0-9+/=\s]+$/.test(text)) {
    const decoded = Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8')
    if (decoded.includes('-----BEGIN')) text = decoded.trim()
  }
  if (!text.includes('\n') && text.includes('\\n')) text = text.replace(/\\n/g, '\n')
  return text.replace(/\r\n?/g, '\n')
}
