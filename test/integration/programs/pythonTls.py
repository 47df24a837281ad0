"""HTTPS for the TLS tests with Python's ssl module (the system libssl).
  python3 pythonTls.py server CERT KEY          -> prints "listening PORT"
  python3 pythonTls.py client URL [URL ...]     -> GETs each URL with urllib, prints statuses
"""
import http.server
import ssl
import sys
import urllib.request


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = b"python tls " + self.path.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(cert, key):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    print("listening", httpd.server_address[1], flush=True)
    httpd.serve_forever()


def fetch(urls):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    for url in urls:
        with urllib.request.urlopen(url, context=ctx) as r:
            r.read()
            print(r.status, flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        serve(sys.argv[2], sys.argv[3])
    else:
        fetch(sys.argv[2:])
