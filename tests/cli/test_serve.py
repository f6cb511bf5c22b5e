import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

from .conftest import OPSDESK


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, deadline: float):
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read().decode()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_serve_migrates_and_answers_the_login_page_until_terminated(cli_env):
    # A fresh SQLite file of its own: serve migrates it before listening.
    port = _free_port()
    process = subprocess.Popen(
        [str(OPSDESK), "serve", "--port", str(port)], env=cli_env, text=True,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        # Migrating the fresh database comes first: over a minute on a loaded machine.
        status, page = _get(f"http://127.0.0.1:{port}/login/", time.monotonic() + 300)
        assert status == 200 and "<form" in page
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        process.kill()
        output = process.communicate()[0]
    assert f"http://127.0.0.1:{port}/" in output
    assert "worker started" in output


def test_serve_on_a_busy_port_says_so(cli_env):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [str(OPSDESK), "serve", "--port", str(port)], env=cli_env, text=True,
            capture_output=True, stdin=subprocess.DEVNULL, timeout=120,
        )
    assert result.returncode == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in result.stderr
