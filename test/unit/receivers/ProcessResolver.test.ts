import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ProcessResolver } from '../../../src/receivers/process/ProcessResolver';

test('a process gone before it was named: a nameless fallback is not cached, so a later comm names it', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kspan-proc-'));
  try {
    const resolver = new ProcessResolver(root);
    // The tcp ring's connect event can be decoded before the sockets ring's open event (which carries comm).
    assert.equal(resolver.resolve(4242).serviceName, 'pid-4242');
    assert.equal(resolver.resolve(4242, 'curl').serviceName, 'curl');
    assert.equal(resolver.resolve(4242).serviceName, 'curl', 'the comm-named identity is kept');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a live process is named by its executable, not by the comm', () => {
  const resolver = new ProcessResolver();
  const me = resolver.resolve(process.pid, 'ignored');
  assert.equal(me.executablePath, fs.readlinkSync('/proc/self/exe'));
  assert.equal(me.executableName, path.basename(process.execPath));
});
