import { KEY_FILE_MAX_BYTES } from '../constants.js'
import { InputError } from '../errors.js'
import { readBoundedFile } from './bounded-file.js'

/**
 * The text of the key file `path`, which the variable `name` names: read only when it is a
 * regular file (or a link to one) of at most KEY_FILE_MAX_BYTES (see readBoundedFile). Messages
 * never include the contents.
 */
export function readKeyFile(path: string, name: string): string {
  const refuse = (reason: string): InputError =>
    new InputError(
      `${name} names '${path.slice(0, 200)}', which ${reason}; point it at the AuthKey_<KEYID>.p8 file.`
    )
  const text = readBoundedFile(path, KEY_FILE_MAX_BYTES, refuse)
  // Not "the key is required", as if the variable were unset: the file is there, and empty.
  if (!text.trim()) throw refuse('is empty')
  return text
}
