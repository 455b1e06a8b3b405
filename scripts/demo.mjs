// npm run demo: the action end to end against the local App Store Connect simulator,
// with a throwaway key. Nothing leaves this machine.
import { generateKeyPairSync } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { startAscSimulator } from '../test-support/asc-simulator.mjs'
import { ROOT, runAction } from '../test-support/run-action.mjs'
import { APP, BUILD_ID, sampleBuild, baselineBuild } from '../test-support/scenarios.mjs'

if (!existsSync(join(ROOT, 'dist', 'index.js'))) {
  console.error('dist/index.js is missing: run `npm run build` first.')
  process.exit(1)
}

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const keyId = 'DEMOKEY001'
const asc = await startAscSimulator({
  keys: { [keyId]: publicKey },
  apps: [APP],
  builds: [sampleBuild(), baselineBuild()]
})

try {
  const run = await runAction({
    inputs: {
      'issuer-id': '57246542-96fe-1a63-e053-0824d011072a',
      'key-id': keyId,
      'private-key': privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      'build-id': BUILD_ID,
      'api-base-url': asc.url,
      comment: 'false'
    },
    env: { ASC_GATE_TIME_SCALE: '1' }
  })
  const rule = '─'.repeat(72)
  console.log(`${rule}\nThe action's log\n${rule}`)
  console.log(
    run.stdout
      .split('\n')
      .filter(line => !line.startsWith('::add-mask::'))
      // Show workflow commands roughly the way the runner displays them.
      .map(line =>
        line.replace(
          /^::(error|warning)[^:]*::/,
          (_, level) => `${level === 'error' ? 'Error' : 'Warning'}: `
        )
      )
      .map(line => line.replace(/^::group::/, '▸ ').replace(/^::endgroup::$/, ''))
      .map(line => line.replace(/%0A/g, '\n  ').replace(/%25/g, '%'))
      .join('\n')
      .trim()
  )
  console.log(`\n${rule}\nThe job summary (Markdown)\n${rule}`)
  console.log(run.summary.trim())
  console.log(`\n${rule}`)
  console.log(
    `Requests to App Store Connect: ${asc.timeline.length} (round trips: ${asc.criticalPath()})`
  )
  console.log(
    `Outputs: passed=${run.outputs.passed} breach-count=${run.outputs['breach-count']} max-weight=${run.outputs['max-weight']}`
  )
  console.log(
    `Exit status: ${run.code} (${run.code === 0 ? 'the release may go on' : 'the job fails: the gate stopped the release'})`
  )
} finally {
  await asc.close()
}
