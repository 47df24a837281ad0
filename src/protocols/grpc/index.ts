export { grpcCall, grpcStatusOf, isGrpcContentType, parseGrpcPath, type GrpcCall, type GrpcHeaderSource } from './grpcCall';
export { GRPC_STATUS_NAMES, grpcStatusName, isGrpcServerError } from './statusCodes';
