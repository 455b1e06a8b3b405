/**
 * Like Promise.all, but waits for every task before throwing the first failure, so no
 * request is still in flight (and retrying) when the run reports and closes its connections.
 */
export async function allSettledOrThrow<T>(tasks: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(tasks)
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
  return results.map(r => (r as PromiseFulfilledResult<T>).value)
}

/** Runs tasks with at most `limit` in flight, starting each as soon as a slot frees up. */
export function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0
  const queue: (() => void)[] = []
  const release = (): void => {
    active--
    queue.shift()?.()
  }
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>(resolve => queue.push(resolve))
    active++
    try {
      return await task()
    } finally {
      release()
    }
  }
}
