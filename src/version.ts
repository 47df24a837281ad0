// Read once from package.json so `kspan version` and the resource agree with the package.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const VERSION: string = (require('../../package.json') as { version: string }).version;
