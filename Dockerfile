# One image for every perpx service; docker-compose.yml picks the service by command.
# The whole project is copied (see .dockerignore) so that a new package or build file needs no edit
# here; `pip install .` compiles what setup.py compiles.
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir .
ENV PYTHONUNBUFFERED=1
ENTRYPOINT ["perpx"]
