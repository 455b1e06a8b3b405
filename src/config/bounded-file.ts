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
import { messageOf } from '../errors.js'

/**
 * The text of the file `path`, read only when it is a regular file (or a link to one) of at most
 * `maxBytes`, so a FIFO cannot hang the run and a device or a huge file cannot fill the memory.
 * `refuse` turns the reason ("is a directory, not a file") into the caller's error; no reason
 * includes the contents.
 */
export function readBoundedFile(
  path: string,
  maxBytes: number,
  refuse: (reason: string) => Error
): string {
  const limit = maxBytes >= 1024 * 1024 ? `${maxBytes / (1024 * 1024)} MB` : `${maxBytes / 1024} KB`
  let found: Stats
  try {
    const link = lstatSync(path)
    found = link.isSymbolicLink() ? statSync(path) : link
  } catch (error) {
    throw refuse(`cannot be read (${errorCode(error)})`)
  }
  const unfit = notARegularFile(found, maxBytes, limit)
  if (unfit) throw refuse(unfit)

  // Opened without blocking and checked again: the path may have been swapped since the lstat.
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  } catch (error) {
    throw refuse(`cannot be read (${errorCode(error)})`)
  }
  let refused: Error | undefined
  try {
    const opened = notARegularFile(fstatSync(fd), maxBytes, limit)
    if (opened) throw (refused = refuse(opened))
    // One byte past the limit tells a file that grew since its stat from one that fits.
    const buffer = Buffer.alloc(Math.min(maxBytes, fstatSync(fd).size) + 1)
    let length = 0
    for (let read = -1; read !== 0 && length < buffer.length; length += read) {
      read = readSync(fd, buffer, length, buffer.length - length, null)
    }
    if (length > maxBytes || length === buffer.length) {
      throw (refused = refuse(
        length > maxBytes ? `is larger than ${limit}` : 'grew while it was read'
      ))
    }
    return buffer.toString('utf8', 0, length)
  } catch (error) {
    throw error === refused ? error : refuse(`cannot be read (${errorCode(error)})`)
  } finally {
    closeSync(fd)
  }
}

/** Why `stats` is not a file to read, or undefined when it is a regular file that fits. */
function notARegularFile(stats: Stats, maxBytes: number, limit: string): string | undefined {
  if (stats.isFIFO()) return 'is a FIFO, not a file'
  if (stats.isDirectory()) return 'is a directory, not a file'
  if (stats.isCharacterDevice()) return 'is a character device, not a file'
  if (stats.isBlockDevice()) return 'is a block device, not a file'
  if (stats.isSocket()) return 'is a socket, not a file'
  if (!stats.isFile()) return 'is not a regular file'
  if (stats.size > maxBytes) return `is larger than ${limit}`
  return undefined
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? messageOf(error)
}
