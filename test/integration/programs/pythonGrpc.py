"""python grpcio peer of kspan.test.Echo for the integration tests.

  pythonGrpc.py server [PORT]   serves (on a free port by default), prints "listening PORT"
  pythonGrpc.py client PORT     unary OK with traceparent (x-call py-1), unary
                                NOT_FOUND (py-2), server streaming of 5 (py-3)

The messages and handlers are those of the HTTP/2 fixtures' peer
(test/fixtures/http2/python_grpc.py), which needs only grpcio.
"""
import os
import sys
from concurrent import futures

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'fixtures', 'http2'))
import grpc  # noqa: E402
import python_grpc as peer  # noqa: E402


def serve(port):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    handlers = {
        'Say': grpc.unary_unary_rpc_method_handler(peer.say, request_deserializer=peer.decode_request, response_serializer=peer.encode_reply),
        'SayMany': grpc.unary_stream_rpc_method_handler(peer.say_many, request_deserializer=peer.decode_request, response_serializer=peer.encode_reply),
    }
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(peer.SERVICE, handlers),))
    port = server.add_insecure_port('127.0.0.1:%d' % port)
    server.start()
    print('listening %d' % port, flush=True)
    server.wait_for_termination()


if __name__ == '__main__':
    if sys.argv[1] == 'server':
        serve(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    else:
        peer.client(int(sys.argv[2]))
