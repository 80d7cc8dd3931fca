FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # The code runs from /app (manage.py, templates/), ahead of the installed copy.
    PYTHONPATH=/app

WORKDIR /app
COPY . .
RUN pip install . \
    && useradd --system --no-create-home --home-dir /app costing

USER costing
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000"]
