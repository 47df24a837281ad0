import * as fs from 'fs';
import { ServerProcess } from './Programs';

/**
 * The system interpreter when there is one: a pyenv shim on PATH is a chain of
 * bash scripts that can take seconds to exec on a loaded machine.
 */
export const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** `python3 -m http.server` on 127.0.0.1:port serving dir (HTTP/1.0 answers, one connection per request). */
export function pythonHttpServer(dir: string, port: number, env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  // -u: the "Serving HTTP on ... port N" line is how we know it listens; unbuffered, it comes at once.
  return ServerProcess.start(PYTHON, ['-u', '-m', 'http.server', '--bind', '127.0.0.1', '--directory', dir, String(port)], env, /port (\d+)/);
}
