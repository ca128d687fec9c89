# One image for every perpx service; docker-compose.yml picks the service by command.
# Stage 1 builds the wheel: mypyc compiles the hot modules (setup.py), which needs a C compiler. The
# whole project is copied (see .dockerignore) so that a new package or build file needs no edit here.
FROM python:3.11-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# Stage 2 installs that wheel and nothing else of the source tree, as `pip install perpx` would (the
# same wheel tests/packaging/test_wheel.py installs into a fresh virtual environment): no compiler.
FROM python:3.11-slim
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
WORKDIR /var/lib/perpx
ENV PYTHONUNBUFFERED=1
ENTRYPOINT ["perpx"]
