import {
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  writeFileSync
} from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { scrub } from '../secrets.js'

/** The inputs that name a report file; each refusal names its input. */
export type ReportPathInput = 'report-path' | 'sarif-path' | 'junit-path'

/**
 * Create, truncate, and never follow a link in the last place: a link planted between the check
 * and the write is refused by the open itself. Windows has no O_NOFOLLOW; the check stands alone.
 */
const WRITE_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0)

/**
 * Writes a report file, scrubbed of secrets; returns its absolute path. A pull request's tree
 * can plant links in the workspace, so the file is never written through one: neither a link at
 * the target nor one among its folders inside the workspace (which are created as needed).
 */
export function writeTextFile(path: string, text: string, input: ReportPathInput): string {
  const target = resolve(path)
  makeFolders(target, input)
  if (isLink(target)) throw linkRefused(target, input)
  let fd: number
  try {
    fd = openSync(target, WRITE_FLAGS, 0o666)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw linkRefused(target, input)
    throw error
  }
  try {
    // Secrets are base64 or token characters, so replacing them keeps JSON and XML valid.
    writeFileSync(fd, scrub(text))
  } finally {
    closeSync(fd)
  }
  return target
}

/**
 * The workspace as paths may spell it: the runner's GITHUB_WORKSPACE, as given and as the real
 * path (a relative path resolves against the real working folder), and the folder the tool runs
 * in, which is the workspace on a runner and the checkout for the command line.
 */
function workspaceRoots(): string[] {
  const given = process.env.GITHUB_WORKSPACE
  const roots = given ? [resolve(given), realPath(resolve(given))] : []
  return [...new Set([...roots, process.cwd()])]
}

function realPath(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

/** The workspace root that holds `path`, and `path` relative to it; undefined outside it. */
function inWorkspace(path: string): { root: string; inside: string } | undefined {
  for (const root of workspaceRoots()) {
    const inside = within(root, path)
    if (inside !== undefined) return { root, inside }
  }
  return undefined
}

/**
 * The target's folders. Inside the workspace, one at a time, each refused when it is a link;
 * outside it (RUNNER_TEMP, an absolute path the workflow chose) as they are, links and all.
 */
function makeFolders(target: string, input: ReportPathInput): void {
  const found = inWorkspace(dirname(target))
  if (!found) {
    mkdirSync(dirname(target), { recursive: true })
    return
  }
  let folder = found.root
  for (const part of found.inside.split(sep).filter(Boolean)) {
    folder = join(folder, part)
    try {
      mkdirSync(folder)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    if (isLink(folder)) throw linkRefused(folder, input)
  }
}

/** `path` relative to `root` when it is inside it ('' for the root itself); else undefined. */
function within(root: string, path: string): string | undefined {
  const inside = relative(root, path)
  return inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside) ? undefined : inside
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink()
  } catch {
    return false
  }
}

function linkRefused(link: string, input: ReportPathInput): Error {
  const place = inWorkspace(link)?.inside || link
  return new Error(
    `'${place}' is a symbolic link, and a report file is never written through one; set '${input}' to a path whose folders and file are not links.`
  )
}
