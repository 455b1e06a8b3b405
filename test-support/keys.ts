import { generateKeyPairSync, type KeyObject } from 'node:crypto'

export interface TestKey {
  keyId: string
  pem: string
  publicKey: KeyObject
}

/** A throwaway App Store Connect-style key: EC P-256, PKCS#8 PEM, as in a .p8 file. */
export function makeKey(keyId = 'TESTKEY123'): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return { keyId, pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey }
}

/** Every form of the key that must never appear in anything the action prints or writes. */
export function keyFragments(pem: string): string[] {
  const body = pem.split('\n').filter(line => line && !line.startsWith('-----'))
  return [body.join(''), ...body.filter(line => line.length >= 16)]
}
