/** gRPC status code names (https://grpc.github.io/grpc/core/md_doc_statuscodes.html), by code. */
export const GRPC_STATUS_NAMES: readonly string[] = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];

export function grpcStatusName(code: number): string | undefined {
  return GRPC_STATUS_NAMES[code];
}

/**
 * Whether a server span with this status is an error, as the OpenTelemetry
 * gRPC conventions define it for servers: UNKNOWN, DEADLINE_EXCEEDED,
 * UNIMPLEMENTED, INTERNAL, UNAVAILABLE and DATA_LOSS. Clients treat every
 * non-zero status as an error.
 */
export function isGrpcServerError(code: number): boolean {
  return code === 2 || code === 4 || code === 12 || code === 13 || code === 14 || code === 15;
}
