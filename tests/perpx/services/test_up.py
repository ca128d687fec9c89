"""`perpx up` starts Redis and the services with one command, and Ctrl-C stops all of it cleanly."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import redis


def test_up_runs_and_stops_on_ctrl_c(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(PERPX_ENGINE_HEALTH_PORT="0", PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "perpx.cli", "up", "--data-dir", str(tmp_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, b"")), daemon=True)
    reader.start()

    def text() -> str:
        return b"".join(lines).decode()

    try:
        deadline = time.monotonic() + 90
        while "recovered at" not in text():
            assert process.poll() is None and time.monotonic() < deadline, text()
            time.sleep(0.05)
        redis_url = re.search(r"redis at (redis://\S+)", text()).group(1)
        health_port = int(re.search(r"engine\s*\| .*on port (\d+)", text()).group(1))
        with urllib.request.urlopen(f"http://127.0.0.1:{health_port}/healthz", timeout=5) as response:
            assert response.status == 200
        client = redis.Redis.from_url(redis_url)
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        client.set("kept", "yes")
        os.kill(client.info("server")["process_id"], signal.SIGKILL)  # Redis dies: up restarts it
        client.close()
        while "restarted it from its AOF" not in text():
            assert process.poll() is None and time.monotonic() < deadline, text()
            time.sleep(0.05)
        client = redis.Redis.from_url(redis_url)
        assert client.get("kept") == b"yes"
        client.close()
        while text().count("recovered at") < 2:  # the engine lost Redis, exited, and was restarted
            assert process.poll() is None and time.monotonic() < deadline, text()
            time.sleep(0.05)
        assert (tmp_path / "redis" / "appendonly.aof").exists()

        process.send_signal(signal.SIGINT)
        assert process.wait(60) == 0, text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join(5)
        process.stdout.close()
    assert "engine stopped (exit 0)" in text()
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=1).ping()
        raise AssertionError("embedded Redis still answers after perpx up stopped")
    except redis.ConnectionError:
        pass
