"""docker-compose.yml, read as Docker would (no Docker engine runs here): every service has a health
check and a published port, and each perpx service's command is one `perpx` accepts, with its health
check asking /readyz on the port it serves and publishes."""

import argparse
from pathlib import Path
from typing import Any

import yaml

from perpx.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent.parent


def services() -> dict[str, dict[str, Any]]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def published_container_ports(service: dict[str, Any]) -> set[int]:
    return {int(str(mapping).rsplit(":", 1)[1]) for mapping in service.get("ports", [])}


def test_every_service_has_a_health_check_and_a_published_port():
    for name, service in services().items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
        assert published_container_ports(service), f"{name} publishes no port"


def test_each_perpx_service_runs_a_perpx_command_and_is_checked_where_it_listens():
    perpx_services = {name: s for name, s in services().items() if s.get("image") == "perpx:local"}
    assert {"engine", "oracle", "funding"} <= set(perpx_services)
    for name, service in perpx_services.items():
        assert service["build"] == "."
        args: argparse.Namespace = build_parser().parse_args(service["command"])  # exits on an unknown flag
        assert args.command == name
        assert args.health_host == "0.0.0.0", f"{name}'s health port must be reachable from outside its container"
        assert args.health_port in published_container_ports(service)
        assert f"http://127.0.0.1:{args.health_port}/readyz" in " ".join(service["healthcheck"]["test"])
        assert service["environment"]["REDIS_URL"] == "redis://redis:6379/0"


def test_the_image_installs_the_wheel():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip wheel --no-cache-dir --no-deps --wheel-dir /wheels ." in dockerfile
    runtime = dockerfile.rsplit("\nFROM ", 1)[1]  # the last stage: what the containers run
    assert "pip install --no-cache-dir /wheels/*.whl" in runtime and "COPY . ." not in runtime
