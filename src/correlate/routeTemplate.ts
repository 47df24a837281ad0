/**
 * A low-cardinality stand-in for a route, used only in span names: path
 * segments that look like identifiers (numbers, UUIDs, long hex or mixed
 * tokens) become "{id}". The real path is always in url.path / url.full.
 */
const NUMERIC = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEXISH = /^[0-9a-f]{16,}$/i;
const TOKEN = /^(?=.*\d)[A-Za-z0-9_-]{20,}$/;

export function routeTemplate(path: string): string {
  if (path === '' || path === '/') return '/';
  return path
    .split('/')
    .map((seg) => (NUMERIC.test(seg) || UUID.test(seg) || HEXISH.test(seg) || TOKEN.test(seg) ? '{id}' : seg))
    .join('/');
}
