# Front-end assets come from the npm registry at build time.
FROM node:20-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
COPY . .
COPY --from=assets /app/node_modules ./node_modules
RUN pip install --no-cache-dir . \
    && DJANGO_SETTINGS_MODULE=releasemgmt.settings.local python manage.py collectstatic --noinput -v0
RUN useradd --system --home /app releasemgmt && mkdir -p /app/media && chown releasemgmt /app/media
USER releasemgmt
EXPOSE 8000
CMD ["gunicorn", "releasemgmt.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
