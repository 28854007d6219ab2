/** A mistake in how rvsmp was called: printed as one line plus usage, exit status 2. */
export class UsageError extends Error {}
