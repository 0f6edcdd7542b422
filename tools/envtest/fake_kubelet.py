"""A kubelet's log endpoint, for the API server to read container logs from (``pods/log``).

Nothing runs pods in the test cluster; this child process answers what kube-apiserver asks a
kubelet for ``kubectl logs``: ``GET /containerLogs/<namespace>/<pod>/<container>?tailLines=N
[&previous=true]``, over HTTPS with a throw-away self-signed certificate (kube-apiserver does
not verify a kubelet's serving certificate unless told to). The logs come from a JSON file
``{"<ns>/<pod>/<container>": "text", "<ns>/<pod>/<container>/previous": "text"}``.

It prints ``ready <json list of "ip:port">`` once listening and exits when stdin closes or after
``--deadline`` seconds. Run it inside a network namespace (``netns.py``): the API server will
not dial loopback node addresses for logs either.
"""

from __future__ import annotations

import argparse
import json
import ssl
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "kubelet.crt", folder / "kubelet.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=fake-kubelet", "-keyout", key, "-out", cert],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _handler(logs: dict[str, str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            url = urlparse(self.path)
            parts = url.path.strip("/").split("/")
            if len(parts) != 4 or parts[0] != "containerLogs":
                self._send(404, f"no such endpoint: {url.path}")
                return
            query = parse_qs(url.query)
            key = "/".join(parts[1:]) + ("/previous" if query.get("previous") == ["true"] else "")
            if key not in logs:
                self._send(404, f"container {key} not found")
                return
            lines = logs[key].splitlines(keepends=True)
            tail = int(query.get("tailLines", ["0"])[0] or 0)
            self._send(200, "".join(lines[-tail:] if tail else lines))

        def _send(self, status: int, text: str) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", required=True, help="ip:port")
    parser.add_argument("--logs", required=True, help="JSON file of logs by container")
    parser.add_argument("--deadline", type=float, default=900.0)
    args = parser.parse_args()
    logs = json.loads(Path(args.logs).read_text())
    host, _, port = args.listen.rpartition(":")
    server = ThreadingHTTPServer((host, int(port)), _handler(logs))
    with tempfile.TemporaryDirectory() as folder:
        cert, key = _certificate(Path(folder))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready " + json.dumps([f"{host}:{server.server_address[1]}"]), flush=True)
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait(args.deadline)
    server.shutdown()


if __name__ == "__main__":
    main()
