import { hostname } from 'node:os';
import type { Resource } from '@opentelemetry/resources';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SDK_INFO } from '@opentelemetry/core';
import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_TELEMETRY_SDK_LANGUAGE,
  ATTR_TELEMETRY_SDK_NAME,
  ATTR_TELEMETRY_SDK_VERSION,
} from '@opentelemetry/semantic-conventions';
import type { ProcessIdentity } from '../correlate/span';

/** Marks telemetry as made by kspan rather than by the process itself. */
export const DISTRO_NAME = 'kspan';

export interface AgentIdentity {
  /** kspan's version, reported as telemetry.distro.version / service.version. */
  agentVersion?: string;
  /** Defaults to os.hostname(). */
  hostName?: string;
}

function agentAttributes(agent: AgentIdentity): Attributes {
  // Only telemetry.sdk.*: SDK_INFO also says process.runtime.name=node, which
  // is true of the agent but not of the nginx or python process it traces.
  const attrs: Attributes = {
    [ATTR_TELEMETRY_SDK_NAME]: SDK_INFO[ATTR_TELEMETRY_SDK_NAME],
    [ATTR_TELEMETRY_SDK_LANGUAGE]: SDK_INFO[ATTR_TELEMETRY_SDK_LANGUAGE],
    [ATTR_TELEMETRY_SDK_VERSION]: SDK_INFO[ATTR_TELEMETRY_SDK_VERSION],
    'host.name': agent.hostName ?? hostname(),
    'telemetry.distro.name': DISTRO_NAME,
  };
  if (agent.agentVersion) attrs['telemetry.distro.version'] = agent.agentVersion;
  return attrs;
}

/**
 * The resource of a traced process. Built from attributes only: the SDK's env
 * and process detectors would describe the kspan agent, not the traced process.
 */
export function processResource(proc: ProcessIdentity, agent: AgentIdentity): Resource {
  const attrs: Attributes = {
    ...agentAttributes(agent),
    'service.name': proc.serviceName,
    'process.pid': proc.pid,
    'process.executable.name': proc.executableName,
  };
  if (proc.executablePath) attrs['process.executable.path'] = proc.executablePath;
  return resourceFromAttributes(attrs);
}

/** The resource of kspan's own metrics: the agent is the service. */
export function agentResource(agent: AgentIdentity): Resource {
  const attrs: Attributes = { ...agentAttributes(agent), 'service.name': DISTRO_NAME };
  if (agent.agentVersion) attrs['service.version'] = agent.agentVersion;
  return resourceFromAttributes(attrs);
}
