/**
 * Collector-style environment substitution: `${env:VAR}`, `${env:VAR:-default}`,
 * and the shorthand `${VAR}` / `${VAR:-default}` (the collector's default
 * scheme is env). `$$` is a literal `$`; any other `$` is left alone.
 *
 * It runs on the string scalars of the already-parsed YAML tree, never on the
 * text, so a variable's value is always a plain string: it cannot add keys,
 * lists or YAML syntax. Map keys are not substituted.
 *
 * As in the collector, the default applies only when the variable is unset; a
 * variable set to "" yields "". An unset variable without a default yields ""
 * and a warning.
 */
import { ConfigError } from './ConfigError';
import { isMap, joinKey } from './values';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OTHER_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):(?!-)/;

export function substituteEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  warnings: string[],
  key = '',
): unknown {
  if (typeof value === 'string') return expandString(value, env, warnings, key);
  if (Array.isArray(value)) {
    return value.map((item, i) => substituteEnv(item, env, warnings, `${key}[${i}]`));
  }
  if (isMap(value)) {
    const result: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(value)) {
      result[name] = substituteEnv(item, env, warnings, joinKey(key, name));
    }
    return result;
  }
  return value;
}

export function expandString(
  text: string,
  env: NodeJS.ProcessEnv,
  warnings: string[],
  key: string,
): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0 || dollar === text.length - 1) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
    } else if (next === '{') {
      const close = text.indexOf('}', dollar + 2);
      if (close < 0) {
        throw new ConfigError(key, `unterminated "\${" in ${JSON.stringify(text)}; expected \${env:VAR} (write $$ for a literal $)`);
      }
      out += resolveReference(text.slice(dollar + 2, close), env, warnings, key);
      i = close + 1;
    } else {
      out += '$';
      i = dollar + 1;
    }
  }
  return out;
}

function resolveReference(body: string, env: NodeJS.ProcessEnv, warnings: string[], key: string): string {
  let reference = body;
  if (reference.startsWith('env:')) {
    reference = reference.slice('env:'.length);
  } else {
    const scheme = OTHER_SCHEME.exec(reference);
    if (scheme !== null) {
      throw new ConfigError(key, `unsupported config provider "${scheme[1]}" in "\${${body}}"; only env is supported`);
    }
  }
  const cut = reference.indexOf(':-');
  const name = cut < 0 ? reference : reference.slice(0, cut);
  const fallback = cut < 0 ? undefined : reference.slice(cut + 2);
  if (!ENV_NAME.test(name)) {
    throw new ConfigError(key, `invalid environment variable name in "\${${body}}"; expected \${env:NAME} with NAME matching ${ENV_NAME.source}`);
  }
  const value = env[name];
  if (value !== undefined) return value;
  if (fallback !== undefined) return fallback;
  warnings.push(`${key}: environment variable ${name} is not set; using ""`);
  return '';
}
