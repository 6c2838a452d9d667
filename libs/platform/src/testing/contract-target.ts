/**
 * What an adapter spec hands to a port's contract suite. A suite whose server is not
 * configured is registered as skipped, with the reason in the test name and on stderr,
 * so a skip is never mistaken for a pass.
 */
export interface ContractTarget<T> {
  readonly name: string;
  /** Builds a fresh, empty instance for one test. */
  readonly make: () => Promise<T>;
  /** Set when the backing server is not configured (e.g. EVENTSTORE_URL unset). */
  readonly skipReason?: string;
}

export function describeContract<T>(
  port: string,
  target: ContractTarget<T>,
  body: (make: () => Promise<T>) => void,
): void {
  const title = `${port} contract: ${target.name}`;
  if (target.skipReason) {
    process.stderr.write(`SKIPPED ${title}: ${target.skipReason}\n`);
    describe(title, () => {
      it.skip(`SKIPPED (not run, not passed): ${target.skipReason}`, () => undefined);
    });
    return;
  }
  describe(title, () => body(target.make));
}

/** Skip reason for a suite that needs an environment variable naming a server. */
export const skipUnlessEnv = (name: string, what: string): string | undefined =>
  process.env[name]
    ? undefined
    : `${name} is not set, so the ${what} adapter was not tested against a real server`;
