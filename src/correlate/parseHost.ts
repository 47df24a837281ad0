/** A Host header split into name and port. */
export interface HostPort {
  name: string;
  port?: number;
}

const COLON = 0x3a;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Whether value[from, end) is ":" and one or more ASCII digits. */
function isPortSuffix(value: string, from: number): boolean {
  if (value.charCodeAt(from) !== COLON || from + 1 >= value.length) return false;
  for (let i = from + 1; i < value.length; i++) if (!isDigit(value.charCodeAt(i))) return false;
  return true;
}

function hostPort(name: string, value: string, portFrom: number): HostPort {
  return portFrom < value.length ? { name, port: Number(value.slice(portFrom + 1)) } : { name };
}

/**
 * Parses a Host value by scanning, with exactly the results of
 * /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/ on the trimmed value followed by
 * stripping one leading "[" and one trailing "]" from the name.
 */
export function parseHost(value: string | undefined): HostPort | undefined {
  if (!value) return undefined;
  const v = value.trim();
  // "[" anything but "]" "]", then nothing or a port.
  if (v.charCodeAt(0) === 0x5b) {
    const close = v.indexOf(']', 1);
    const after = close + 1;
    if (close > 1 && (after === v.length || isPortSuffix(v, after))) return hostPort(v.slice(1, close), v, after);
  }
  // Otherwise anything but ":", then nothing or a port.
  const colon = v.indexOf(':');
  const nameEnd = colon < 0 ? v.length : colon;
  if (nameEnd === 0 || (colon >= 0 && !isPortSuffix(v, colon))) return undefined;
  const from = v.charCodeAt(0) === 0x5b ? 1 : 0;
  const to = v.charCodeAt(nameEnd - 1) === 0x5d ? nameEnd - 1 : nameEnd;
  return hostPort(v.slice(from, Math.max(from, to)), v, nameEnd);
}
