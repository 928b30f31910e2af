"""Start the installed ``bigmap-kg serve`` (from /tmp, away from the checkout), fetch a page, a
static file and a SPARQL answer, stop it. Usage: serve_smoke.py PATH/TO/bigmap-kg"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request


def main(command: str) -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ) | {"BIGMAP_KG_PORT": str(port)}
    proc = subprocess.Popen([command, "serve"], env=env, cwd="/tmp")
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        home = urllib.request.urlopen(base + "/").read().decode()
        css = urllib.request.urlopen(base + "/static/style.css")
        answer = urllib.request.urlopen(base + "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D").read()
        assert "bigmap-kg" in home and css.status == 200 and json.loads(answer)["boolean"] is True
        print(f"service from the wheel: page, static file and SPARQL answer served on port {port}")
        return 0
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
