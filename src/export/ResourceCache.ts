import type { Resource } from '@opentelemetry/resources';
import type { ProcessIdentity } from '../correlate/span';
import type { AgentIdentity } from './Resources';
import { processResource } from './Resources';

/** Instrumentation scope of every kspan span. */
export const TRACER_NAME = 'kspan';

/**
 * One resource per traced process, built once and kept in an LRU: a host
 * that forks short-lived processes would otherwise grow this map forever.
 */
export class ResourceCache {
  private readonly _resources = new Map<string, Resource>();
  /** Identities are shared per process by the resolver, so most spans are answered here without building a key. */
  private readonly _byIdentity = new WeakMap<ProcessIdentity, Resource>();

  constructor(private readonly _agent: AgentIdentity, private readonly _maxSize = 1024) {}

  get size(): number {
    return this._resources.size;
  }

  resourceFor(proc: ProcessIdentity): Resource {
    let resource = this._byIdentity.get(proc);
    if (resource === undefined) {
      resource = this._keyed(proc);
      this._byIdentity.set(proc, resource);
    }
    return resource;
  }

  private _keyed(proc: ProcessIdentity): Resource {
    // pid alone is not an identity: pids are reused, and exec changes the executable.
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
}
