import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { scrub } from '../secrets.js'

/** Writes a report file (its folder created), scrubbed of secrets; returns its absolute path. */
export function writeTextFile(path: string, text: string): string {
  const target = resolve(path)
  mkdirSync(dirname(target), { recursive: true })
  // Secrets are base64 or token characters, so replacing them keeps JSON and XML valid.
  writeFileSync(target, scrub(text))
  return target
}
