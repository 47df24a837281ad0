import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  grpcCall,
  grpcStatusName,
  grpcStatusOf,
  isGrpcContentType,
  isGrpcServerError,
  parseGrpcPath,
  type GrpcCall,
} from '../../../src/protocols/grpc';
import { loadFixture } from '../../fixtures/http2/wire';
import { pushesOf, runPushes, type StreamView } from '../../fixtures/http2/views';

function callOf(s: StreamView): GrpcCall {
  return grpcCall(s.request, s.response, s.trailers.at(-1));
}

describe('grpc: helpers', () => {
  it('parses :path into service and method', () => {
    assert.deepEqual(parseGrpcPath('/kspan.test.Echo/Say'), { service: 'kspan.test.Echo', method: 'Say' });
    assert.deepEqual(parseGrpcPath('/Echo/Say'), { service: 'Echo', method: 'Say' });
    for (const bad of [undefined, '', '/', '//Say', '/Echo/', '/Echo', 'Echo/Say', '/a/b/c']) {
      assert.equal(parseGrpcPath(bad), undefined, String(bad));
    }
  });

  it('detects gRPC content types', () => {
    for (const ct of ['application/grpc', 'application/grpc+proto', 'application/grpc+json', 'Application/GRPC', 'application/grpc-web+proto']) {
      assert.equal(isGrpcContentType(ct), true, ct);
    }
    for (const ct of [undefined, 'application/json', 'application/gr', 'text/plain']) assert.equal(isGrpcContentType(ct), false, String(ct));
  });

  it('reads grpc-status only when numeric', () => {
    assert.equal(grpcStatusOf([['grpc-status', '14']]), 14);
    assert.equal(grpcStatusOf([['grpc-status', 'x']]), undefined);
    assert.equal(grpcStatusOf([]), undefined);
  });

  it('takes the status from trailers, else from a Trailers-Only response', () => {
    const request = { headers: [[':method', 'POST'], [':path', '/p.S/M'], ['content-type', 'application/grpc']] as Array<[string, string]> };
    const response = { headers: [[':status', '200'], ['content-type', 'application/grpc']] as Array<[string, string]> };
    const trailers = { headers: [['grpc-status', '7'], ['grpc-message', 'denied%20here']] as Array<[string, string]> };
    assert.deepEqual(grpcCall(request, response, trailers), {
      isGrpc: true,
      service: 'p.S',
      method: 'M',
      statusCode: 7,
      statusMessage: 'denied here',
    });
    const trailersOnly = { headers: [[':status', '200'], ['grpc-status', '12'], ['content-type', 'application/grpc']] as Array<[string, string]> };
    assert.equal(grpcCall(request, trailersOnly).statusCode, 12);
    assert.deepEqual(grpcCall(request, response), { isGrpc: true, service: 'p.S', method: 'M' });
    assert.deepEqual(grpcCall(), { isGrpc: false });
    assert.equal(grpcCall(undefined, response).isGrpc, true);
    assert.equal(grpcCall(undefined, undefined, { headers: [['grpc-message', '%E0%A4%A']] }).statusMessage, undefined);
    assert.equal(grpcCall(undefined, undefined, { headers: [['grpc-status', '2'], ['grpc-message', '%E0%A4%A']] }).statusMessage, '%E0%A4%A');
  });

  it('names status codes and classifies server errors', () => {
    assert.equal(grpcStatusName(0), 'OK');
    assert.equal(grpcStatusName(5), 'NOT_FOUND');
    assert.equal(grpcStatusName(16), 'UNAUTHENTICATED');
    assert.equal(grpcStatusName(17), undefined);
    assert.equal(isGrpcServerError(5), false);
    assert.equal(isGrpcServerError(13), true);
  });
});

describe('grpc: recorded calls', () => {
  for (const name of ['grpcjs-grpcjs', 'grpcio-client-grpcjs-server', 'grpcjs-client-grpcio-server']) {
    it(`${name}: unary OK, unary NOT_FOUND, server streaming`, () => {
      const run = runPushes(pushesOf(loadFixture(name), 'recorded'));
      const calls = [...run.streams.values()].map(callOf);
      assert.deepEqual(
        calls.map((c) => [c.isGrpc, c.service, c.method, c.statusCode]),
        [
          [true, 'kspan.test.Echo', 'Say', 0],
          [true, 'kspan.test.Echo', 'Say', 5],
          [true, 'kspan.test.Echo', 'SayMany', 0],
        ],
      );
      assert.equal(calls[1].statusMessage, 'no such thing: missing');
    });
  }

  it('100 concurrent calls each get their own OK status', () => {
    const run = runPushes(pushesOf(loadFixture('grpcjs-100-concurrent'), 'recorded'));
    const calls = [...run.streams.values()].map(callOf);
    assert.equal(calls.length, 100);
    assert.ok(calls.every((c) => c.isGrpc && c.method === 'Say' && c.statusCode === 0));
  });

  it('plain HTTP/2 is not gRPC', () => {
    const run = runPushes(pushesOf(loadFixture('node-node-h2c'), 'recorded'));
    for (const s of run.streams.values()) assert.equal(callOf(s).isGrpc, false);
  });
});
