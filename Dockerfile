# One image for the API, the worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim
WORKDIR /srv/tocsin
COPY pyproject.toml README.md ./
COPY app app
COPY workers workers
COPY geo geo
COPY migrations migrations
COPY data data
RUN pip install --no-cache-dir . && useradd --system tocsin && mkdir -p /var/lib/tocsin/keys \
    && chown tocsin /var/lib/tocsin/keys
USER tocsin
ENV TOCSIN_VAPID_KEY_FILE=/var/lib/tocsin/keys/vapid_private.pem
EXPOSE 8000
CMD ["uvicorn", "app.main:app_from_env", "--factory", "--host", "0.0.0.0", "--port", "8000"]
