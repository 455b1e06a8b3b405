import { createPrivateKey, type KeyObject } from 'node:crypto'
import { InputError } from '../errors.js'

const PKCS8 = /-----BEGIN PRIVATE KEY-----([\s\S]*?)-----END PRIVATE KEY-----/
const OTHER_PEM = /-----BEGIN ([A-Z0-9 ]+)-----/

export interface ParsedKey {
  key: KeyObject
  /** Every spelling of the key that could reach a log: the raw input, the PEM and its lines. */
  secrets: string[]
}

/**
 * Reads an App Store Connect .p8 key: PKCS#8 PEM, the PEM with literal `\n` escapes,
 * or the base64 of the PEM. Messages never include any part of the key.
 */
export function parsePrivateKey(input: string): ParsedKey {
  const raw = input.trim()
  if (!raw)
    throw new InputError(
      `Input 'private-key' is required: paste the contents of the AuthKey_<KEYID>.p8 file (for example from a secret).`
    )
  const pem = toPem(raw)
  const secrets = [
    raw,
    pem,
    ...pem.split('\n').filter(line => line.length >= 8 && !line.startsWith('-----'))
  ]
  const body = PKCS8.exec(pem)
  if (!body) {
    const kind = OTHER_PEM.exec(pem)?.[1]
    throw new InputError(
      kind
        ? `Input 'private-key' holds a '${kind}' PEM block; App Store Connect keys are PKCS#8 ('BEGIN PRIVATE KEY'), as downloaded in the .p8 file.`
        : `Input 'private-key' is not a PEM key; paste the whole .p8 file, including the BEGIN and END lines (or its base64).`
    )
  }
  secrets.push(body[1].replace(/\s+/g, ''))
  let key: KeyObject
  try {
    key = createPrivateKey({ key: pem, format: 'pem' })
  } catch {
    throw new InputError(
      `Input 'private-key' could not be read as a PKCS#8 key; it looks truncated or damaged: paste the whole .p8 file again.`
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
  return { key, secrets: [...new Set(secrets)] }
}

function toPem(raw: string): string {
  let text = raw
  if (!text.includes('-----BEGIN') && /^[A-Za-z0-9+/=\s]+$/.test(text)) {
    const decoded = Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8')
    if (decoded.includes('-----BEGIN')) text = decoded.trim()
  }
  if (!text.includes('\n') && text.includes('\\n')) text = text.replace(/\\n/g, '\n')
  return text.replace(/\r\n?/g, '\n')
}
