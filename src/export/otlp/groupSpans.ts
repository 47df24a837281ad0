import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

export interface ScopeGroup {
  /** The first span's scope stands for the group. */
  scope: InstrumentationScope;
  spans: ReadableSpan[];
}

export interface ResourceGroup {
  resource: Resource;
  scopes: ScopeGroup[];
}

/** Scopes are the same when name, version and schema URL are (the SDK's rule). */
function scopeKey(scope: InstrumentationScope): string {
  return `${scope.name}@${scope.version || ''}:${scope.schemaUrl || ''}`;
}

/**
 * How scopes are told apart: `equal` by name, version and schema URL (the
 * SDK's JSON serializer), `identical` by object identity (its protobuf
 * serializer). They differ only for equal scopes held in distinct objects;
 * kspan's spans share one.
 */
export type ScopeMatch = 'equal' | 'identical';

/**
 * Spans grouped by resource (object identity: kspan caches its resources)
 * and then by instrumentation scope, both in order of first appearance —
 * the shape of an ExportTraceServiceRequest.
 */
export function groupSpans(spans: readonly ReadableSpan[], match: ScopeMatch = 'equal'): ResourceGroup[] {
  const byResource = new Map<Resource, { group: ResourceGroup; byScope: Map<string | InstrumentationScope, ScopeGroup> }>();
  const out: ResourceGroup[] = [];
  // Every kspan span shares one scope object: remember its key instead of rebuilding it.
  let lastScope: InstrumentationScope | undefined;
  let lastKey: string | InstrumentationScope = '';
  for (const span of spans) {
    let entry = byResource.get(span.resource);
    if (!entry) {
      entry = { group: { resource: span.resource, scopes: [] }, byScope: new Map() };
      byResource.set(span.resource, entry);
      out.push(entry.group);
    }
    const scope = span.instrumentationScope;
    if (scope !== lastScope) {
      lastScope = scope;
      lastKey = match === 'equal' ? scopeKey(scope) : scope;
    }
    let scoped = entry.byScope.get(lastKey);
    if (!scoped) {
      scoped = { scope, spans: [] };
      entry.byScope.set(lastKey, scoped);
      entry.group.scopes.push(scoped);
    }
    scoped.spans.push(span);
  }
  return out;
}
