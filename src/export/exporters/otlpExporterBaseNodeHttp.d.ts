/**
 * Types for the package's "./node-http" export. Our moduleResolution ("node")
 * does not read package.json "exports", so TypeScript cannot find them by the
 * subpath that Node resolves at run time; point it at the files they live in.
 */
declare module '@opentelemetry/otlp-exporter-base/node-http' {
  export * from '@opentelemetry/otlp-exporter-base/build/src/index-node-http';
}
