// npm run build: dist/ from an empty folder. dist/index.js is the action (ncc, as before);
// dist/cli.js is the command-line tool, a second ncc build of src/cli/index.ts. ncc always names
// its output index.js, so the tool is built in a folder of its own and moved; it must be one
// file (no chunk could find its way next to the action's chunks) and starts with its shebang.
import { execFile, execFileSync } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SOURCE_HASH_FILE, sourceHash } from './source-hash.mjs'

const ncc = join('node_modules', '.bin', 'ncc')
const options = ['--license', 'licenses.txt', '--target', 'es2022']
/** One ncc build; its output is printed when it is done, so two at once do not interleave. */
const run = args =>
  new Promise((resolve, reject) =>
    execFile(ncc, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      process.stdout.write(stdout)
      process.stderr.write(stderr)
      if (error) reject(error)
      else resolve(undefined)
    })
  )

execFileSync(process.execPath, [join('scripts', 'cli-inputs.mjs')], { stdio: 'inherit' })
rmSync('dist', { recursive: true, force: true })
// Outside dist/: ncc clears old .js files in its output folder, and the action's build writes
// dist/ while this one runs.
const cliOut = mkdtempSync(join(tmpdir(), 'asc-gate-cli-build-'))
// The two bundles share nothing: build them side by side (two cores, about half the time).
await Promise.all([
  run(['build', 'src/index.ts', '-o', 'dist', ...options]),
  run(['build', 'src/cli/index.ts', '-o', cliOut, ...options])
])
const extra = readdirSync(cliOut).filter(
  name => !['index.js', 'licenses.txt', 'package.json'].includes(name)
)
if (extra.length > 0) {
  console.error(`dist/cli.js must be one file, but ncc also wrote ${extra.join(', ')}.`)
  process.exit(1)
}
const shebang = '#!/usr/bin/env node\n'
const cli = readFileSync(join(cliOut, 'index.js'), 'utf8')
writeFileSync(join('dist', 'cli.js'), cli.startsWith('#!') ? cli : shebang + cli, { mode: 0o755 })
copyFileSync(join(cliOut, 'licenses.txt'), join('dist', 'cli.licenses.txt'))
rmSync(cliOut, { recursive: true, force: true })
writeFileSync(SOURCE_HASH_FILE, `${sourceHash('.')}\n`)
if (!existsSync(join('dist', 'package.json'))) {
  console.error('dist/package.json ({"type":"module"}) is missing.')
  process.exit(1)
}
