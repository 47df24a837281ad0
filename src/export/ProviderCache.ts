import type { Tracer } from '@opentelemetry/api';
import { AlwaysOnSampler, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { IdGenerator, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ProcessIdentity } from '../correlate/span';
import type { Resource } from '@opentelemetry/resources';
import type { AgentIdentity } from './Resources';
import { processResource } from './Resources';

/** Instrumentation scope of every kspan span. */
export const TRACER_NAME = 'kspan';

/**
 * One TracerProvider (hence one resource) per traced process, bounded as an
 * LRU: a host that forks short-lived processes would otherwise grow this map
 * forever. Evicting needs no shutdown: providers own nothing but their
 * resource (export is synchronous, so no span is in flight) and the processor
 * they share ignores shutdown anyway.
 */
export class ProviderCache {
  private readonly _tracers = new Map<string, Tracer>();
  private readonly _resources = new Map<string, Resource>();

  constructor(
    private readonly _processor: SpanProcessor,
    private readonly _idGenerator: IdGenerator,
    private readonly _agent: AgentIdentity,
    private readonly _maxSize = 1024,
  ) {}

  get size(): number {
    return this._tracers.size;
  }

  tracerFor(proc: ProcessIdentity): Tracer {
    // pid alone is not an identity: pids are reused, and exec changes the executable.
    const key = `${proc.pid}\0${proc.serviceName}\0${proc.executableName}\0${proc.executablePath ?? ''}`;
    let tracer = this._tracers.get(key);
    if (tracer) {
      // Map keeps insertion order; re-inserting marks it most recently used.
      this._tracers.delete(key);
      this._tracers.set(key, tracer);
      return tracer;
    }
    const provider = new BasicTracerProvider({
      resource: processResource(proc, this._agent),
      idGenerator: this._idGenerator,
      // kspan decided to make this span; OTEL_TRACES_SAMPLER of the agent must not drop it.
      sampler: new AlwaysOnSampler(),
      spanProcessors: [this._processor],
    });
    tracer = provider.getTracer(TRACER_NAME, this._agent.agentVersion);
    this._tracers.set(key, tracer);
    if (this._tracers.size > this._maxSize) {
      const oldest = this._tracers.keys().next().value;
      if (oldest !== undefined) this._tracers.delete(oldest);
    }
    return tracer;
  }

  /** The process's resource, built once (LRU like the tracers). */
  resourceFor(proc: ProcessIdentity): Resource {
    const key = `${proc.pid}\0${proc.serviceName}\0${proc.executableName}\0${proc.executablePath ?? ''}`;
    let resource = this._resources.get(key);
    if (resource) {
      this._resources.delete(key); // re-inserting marks it most recently used
      this._resources.set(key, resource);
      return resource;
    }
    resource = processResource(proc, this._agent);
    this._resources.set(key, resource);
    if (this._resources.size > this._maxSize) {
      const oldest = this._resources.keys().next().value;
      if (oldest !== undefined) this._resources.delete(oldest);
    }
    return resource;
  }

  get resourceCount(): number {
    return this._resources.size;
  }

  clear(): void {
    this._tracers.clear();
    this._resources.clear();
  }
}
