import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  statSync,
  type Stats
} from 'node:fs'
import { KEY_FILE_MAX_BYTES } from '../constants.js'
import { InputError, messageOf } from '../errors.js'

const LIMIT = `${KEY_FILE_MAX_BYTES / 1024} KB`

/**
 * The text of the key file `path`, which the variable `name` names: read only when it is a
 * regular file (or a link to one) of at most KEY_FILE_MAX_BYTES, so a FIFO cannot hang the run
 * and a device or a huge file cannot fill the memory. Messages never include the contents.
 */
export function readKeyFile(path: string, name: string): string {
  const refuse = (reason: string): InputError =>
    new InputError(
      `${name} names '${path.slice(0, 200)}', which ${reason}; point it at the AuthKey_<KEYID>.p8 file.`
    )
  let found: Stats
  try {
    const link = lstatSync(path)
    found = link.isSymbolicLink() ? statSync(path) : link
  } catch (error) {
    throw refuse(`cannot be read (${errorCode(error)})`)
  }
  const unfit = notAKeyFile(found)
  if (unfit) throw refuse(unfit)

  // Opened without blocking and checked again: the path may have been swapped since the lstat.
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  } catch (error) {
    throw refuse(`cannot be read (${errorCode(error)})`)
  }
  try {
    const opened = notAKeyFile(fstatSync(fd))
    if (opened) throw refuse(opened)
    // One byte past the limit tells a file that grew since its stat from one that fits.
    const buffer = Buffer.alloc(KEY_FILE_MAX_BYTES + 1)
    let length = 0
    for (let read = -1; read !== 0 && length < buffer.length; length += read) {
      read = readSync(fd, buffer, length, buffer.length - length, null)
    }
    if (length > KEY_FILE_MAX_BYTES) throw refuse(`is larger than ${LIMIT}`)
    const text = buffer.toString('utf8', 0, length)
    // Not "the key is required", as if the variable were unset: the file is there, and empty.
    if (!text.trim()) throw refuse('is empty')
    return text
  } catch (error) {
    throw error instanceof InputError ? error : refuse(`cannot be read (${errorCode(error)})`)
  } finally {
    closeSync(fd)
  }
}

/** Why `stats` is not a key file to read, or undefined when it is a small regular file. */
function notAKeyFile(stats: Stats): string | undefined {
  if (stats.isFIFO()) return 'is a FIFO, not a file'
  if (stats.isDirectory()) return 'is a directory, not a file'
  if (stats.isCharacterDevice()) return 'is a character device, not a file'
  if (stats.isBlockDevice()) return 'is a block device, not a file'
  if (stats.isSocket()) return 'is a socket, not a file'
  if (!stats.isFile()) return 'is not a regular file'
  if (stats.size > KEY_FILE_MAX_BYTES) return `is larger than ${LIMIT}`
  return undefined
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? messageOf(error)
}
