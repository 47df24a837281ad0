/**
 * Starts several processes at once. If any fails to start, the others are
 * stopped before the error is rethrown: a half-started before() hook must not
 * leave an agent or a server running after the test file ends.
 */
export async function startAll<T extends { stop(): Promise<unknown>; cleanup?(): void }>(starting: Array<Promise<T>>): Promise<T[]> {
  const results = await Promise.allSettled(starting);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) return results.map((r) => (r as PromiseFulfilledResult<T>).value);
  await Promise.all(results.map(async (r) => {
    if (r.status !== 'fulfilled') return;
    await r.value.stop();
    r.value.cleanup?.();
  }));
  throw failed.reason;
}
