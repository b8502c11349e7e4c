#!/usr/bin/python3
"""The servers the checker tests probe, all in one process inside a lab namespace.

HTTP 80 and HTTPS 443 (certificate and key given as arguments): /health answers 200 "healthy\\n",
/error 500, /slow waits 5 s before answering, /chunked sends "healthy\\n" as a chunked body (with a
chunk extension and a trailer). SMTP 25 greets 220 and accepts HELO; SMTP 2525 greets
554 (a wrong answer); TCP 2526 accepts and never says anything (slow). UDP 7 echoes. Prints "ready"
once every socket listens.
"""

import http.server
import socket
import socketserver
import ssl
import sys
import threading
import time

CERT, KEY = sys.argv[1], sys.argv[2]
BIND = sys.argv[3] if len(sys.argv) > 3 else "0.0.0.0"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/chunked":
            # Written by hand: the body's MD5 must be over "healthy\n", not over the chunk framing.
            self.wfile.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                             b"3;name=value\r\nhea\r\n5\r\nlthy\n\r\n0\r\nX-Trailer: yes\r\n\r\n")
            self.close_connection = True
            return
        if self.path == "/slow":
            time.sleep(5)
        status, body = {"/health": (200, b"healthy\n"), "/error": (500, b"broken\n")}.get(
            self.path.split("?")[0], (404, b"nothing here\n"))
        if self.path == "/slow":
            status, body = 200, b"healthy\n"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class ThreadingHTTPServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve_http(port, tls):
    server = ThreadingHTTPServer((BIND, port), Handler)
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(CERT, KEY)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()


class SmtpHandler(socketserver.StreamRequestHandler):
    greeting = b"220 mail.example.test ESMTP ready\r\n"

    def handle(self):
        self.wfile.write(self.greeting)
        for line in self.rfile:
            word = line.split(b" ")[0].strip().upper()
            if word in (b"HELO", b"EHLO"):
                self.wfile.write(b"250 hello\r\n")
            elif word == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"500 what\r\n")


class BadSmtpHandler(SmtpHandler):
    greeting = b"554 no service\r\n"


class SilentHandler(socketserver.BaseRequestHandler):
    def handle(self):
        time.sleep(10)


class TcpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve_tcp(port, handler):
    server = TcpServer((BIND, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()


def serve_udp_echo(port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((BIND, port))

    def loop():
        while True:
            data, peer = sock.recvfrom(2048)
            sock.sendto(data, peer)
    threading.Thread(target=loop, daemon=True).start()


serve_http(80, False)
serve_http(443, True)
serve_tcp(25, SmtpHandler)
serve_tcp(2525, BadSmtpHandler)
serve_tcp(2526, SilentHandler)
serve_udp_echo(7)
print("ready", flush=True)
while True:
    time.sleep(3600)
