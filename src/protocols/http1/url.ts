/**
 * Splits a request target into path and query for url.path / url.query.
 * Handles origin-form ("/p?q"), absolute-form ("http://host/p?q", sent to
 * proxies; the path defaults to "/"), and returns asterisk-form ("*",
 * OPTIONS) and authority-form ("host:443", CONNECT) unchanged as the path.
 * A fragment never belongs on the wire; if a client sends one it is dropped.
 */
export function splitTarget(target: string): { path: string; query?: string } {
  let rest = target;
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(rest);
  if (scheme) {
    const afterAuthority = rest.slice(scheme[0].length).search(/[/?]/);
    rest = afterAuthority < 0 ? '' : rest.slice(scheme[0].length + afterAuthority);
    if (rest === '' || rest.startsWith('?')) rest = `/${rest}`;
  }
  const q = rest.indexOf('?');
  if (q < 0) return { path: rest };
  return { path: rest.slice(0, q), query: rest.slice(q + 1) };
}
