"""A local stand-in for the external profile service: a real HTTP server on a loopback port.

Each handle has a script of answers, played in order (the last one repeats): a status code,
optional headers and JSON body, or "hang" to never answer.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ProfileService:
    def __init__(self):
        self.scripts: dict[str, list] = {}
        self.requests: list[tuple[str, float]] = []
        self.release = threading.Event()
        self.hanging = 0  # requests held open right now
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url_template = f"http://127.0.0.1:{self.server.server_port}/users/{{handle}}"

    def script(self, handle: str, *answers) -> None:
        self.scripts[handle] = list(answers)

    def hits(self, handle: str) -> list[float]:
        return [when for path, when in self.requests if path == f"/users/{handle}"]

    def _handler(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                service.requests.append((self.path, time.monotonic()))
                handle = self.path.rsplit("/", 1)[-1]
                answers = service.scripts.get(handle) or [(404, {}, {"message": "Not Found"})]
                answer = answers.pop(0) if len(answers) > 1 else answers[0]
                if answer == "hang":
                    service.hanging += 1
                    service.release.wait(30)
                    service.hanging -= 1
                    return
                status, headers, body = answer
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        return Handler

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def ok(name="Octo Cat", bio="Eight arms, one cat."):
    return (
        200,
        {},
        {
            "login": "octocat",
            "name": name,
            "bio": bio,
            "avatar_url": "https://avatars.githubusercontent.com/u/583231",
        },
    )
