/**
 * The one error type the config loader throws. `key` is the dotted path of
 * the offending setting as the user wrote it ("exporters.otlp/jaeger.endpoint",
 * "service.pipelines.traces.exporters[1]"), or the environment variable that
 * held the bad value ("OTEL_EXPORTER_OTLP_ENDPOINT"), or "" when the problem
 * is the document as a whole (unreadable file, YAML syntax). The message is a
 * single line so the CLI can print it as-is.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly key: string;
  /** What was wrong and what was expected, without key or source. */
  readonly detail: string;
  /** Where the config came from (a path or "embedded default"), once known. */
  readonly source: string | undefined;

  constructor(key: string, detail: string, source?: string) {
    super([source, key, detail].filter((part) => part).join(': '));
    this.key = key;
    this.detail = detail;
    this.source = source;
  }

  /** The same error, labelled with the config source for the user. */
  withSource(source: string): ConfigError {
    return this.source === undefined ? new ConfigError(this.key, this.detail, source) : this;
  }
}
