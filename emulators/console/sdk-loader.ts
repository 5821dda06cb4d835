/** The console's AWS SDK module (sdk.ts), loaded once, on the first AWS call. */
let loading: Promise<typeof import('./sdk.ts')> | undefined;
export const sdk = () => (loading ??= import('./sdk.ts'));
