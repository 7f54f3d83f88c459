// A test hook: NIXOS_CONTAINER_TEST_PAUSE=POINT makes a command stop at POINT for a minute, saying
// so on stderr, so test/system/faults.test.ts can send a signal exactly there. Points no real timing can
// hit reliably use it (after create wrote NAME.conf, after it set the profile); the build itself
// is interrupted with a really slow build instead.
export async function pauseForTest(point: string): Promise<void> {
  if (process.env.NIXOS_CONTAINER_TEST_PAUSE !== point) return
  process.stderr.write(`test pause: ${point}\n`)
  await new Promise((resolve) => setTimeout(resolve, 60_000))
}
