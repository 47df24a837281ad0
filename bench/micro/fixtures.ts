/** The committed HTTP/1 fixtures (test/fixtures/http1/*.json): real connections, real syscall boundaries. */
import * as fs from 'fs';
import * as path from 'path';

export const FIXTURE_DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'http1');

export interface Fixture {
  name: string;
  request: Buffer[];
  response: Buffer[];
  bytes: number;
}

export function loadFixtures(): Fixture[] {
  return fs.readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json')).sort().map((f) => {
    const raw = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, f), 'utf8')) as { request: string[]; response: string[] };
    const request = raw.request.map((c) => Buffer.from(c, 'base64'));
    const response = raw.response.map((c) => Buffer.from(c, 'base64'));
    const bytes = [...request, ...response].reduce((s, b) => s + b.length, 0);
    return { name: path.basename(f, '.json'), request, response, bytes };
  });
}
