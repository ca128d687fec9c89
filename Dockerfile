# One image for every perpx service; docker-compose.yml picks the service by command.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY perpx perpx
COPY matching matching
COPY margin margin
COPY oracle oracle
COPY funding funding
COPY streams streams
RUN pip install --no-cache-dir .
ENV PYTHONUNBUFFERED=1
ENTRYPOINT ["perpx"]
