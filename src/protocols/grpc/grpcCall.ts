import { headerValue, pseudoHeader } from '../http2/pseudoHeaders';
import type { HeaderList } from '../http2/types';

/** A header block as the HTTP/2 parser reports it (request, response or trailers event). */
export interface GrpcHeaderSource {
  headers: HeaderList;
}

/** What a stream's header blocks say about it as a gRPC call. */
export interface GrpcCall {
  /** content-type is application/grpc (or application/grpc+proto, grpc-web, ...). */
  isGrpc: boolean;
  /** rpc.service: the fully qualified service, e.g. "helloworld.Greeter". */
  service?: string;
  /** rpc.method: e.g. "SayHello". */
  method?: string;
  /** rpc.grpc.status_code, from the trailers or a Trailers-Only response. */
  statusCode?: number;
  /** grpc-message, percent-decoded, when the call failed with one. */
  statusMessage?: string;
}

const GRPC_CONTENT_TYPE = 'application/grpc';
const STATUS = /^[0-9]{1,3}$/;

/** Whether a content-type names gRPC (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md). */
export function isGrpcContentType(value: string | undefined): boolean {
  if (value === undefined || value.length < GRPC_CONTENT_TYPE.length) return false;
  return value.slice(0, GRPC_CONTENT_TYPE.length).toLowerCase() === GRPC_CONTENT_TYPE;
}

/** Splits a gRPC :path "/pkg.Service/Method" into its service and method. */
export function parseGrpcPath(path: string | undefined): { service: string; method: string } | undefined {
  if (path === undefined || path.charCodeAt(0) !== 0x2f) return undefined;
  const slash = path.indexOf('/', 1);
  if (slash <= 1 || slash === path.length - 1 || path.indexOf('/', slash + 1) >= 0) return undefined;
  return { service: path.slice(1, slash), method: path.slice(slash + 1) };
}

/** grpc-status of a header block, when present and numeric. */
export function grpcStatusOf(headers: HeaderList): number | undefined {
  const v = headerValue(headers, 'grpc-status');
  return v !== undefined && STATUS.test(v) ? Number(v) : undefined;
}

function decodeMessage(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Derives the gRPC view of one stream from its request, response and
 * trailers events (any may be missing: late start, gaps, resets). Values
 * absent from the blocks stay undefined; nothing is guessed. The status
 * comes from the trailers, or from the response when it carried
 * grpc-status itself: a Trailers-Only response, which gRPC over HTTP/2
 * uses when a call fails before any message.
 */
export function grpcCall(request?: GrpcHeaderSource, response?: GrpcHeaderSource, trailers?: GrpcHeaderSource): GrpcCall {
  const contentType =
    (request && headerValue(request.headers, 'content-type')) ?? (response && headerValue(response.headers, 'content-type'));
  const call: GrpcCall = { isGrpc: isGrpcContentType(contentType) };
  const path = request && parseGrpcPath(pseudoHeader(request.headers, ':path'));
  if (path) {
    call.service = path.service;
    call.method = path.method;
  }
  const statusBlock =
    trailers && grpcStatusOf(trailers.headers) !== undefined
      ? trailers
      : response && grpcStatusOf(response.headers) !== undefined
        ? response
        : undefined;
  if (statusBlock) {
    call.statusCode = grpcStatusOf(statusBlock.headers);
    const message = headerValue(statusBlock.headers, 'grpc-message');
    if (message !== undefined && message.length > 0) call.statusMessage = decodeMessage(message);
  }
  return call;
}
