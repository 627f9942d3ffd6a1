FROM python:3.11-slim
# The PDFs' fonts (Liberation Serif) ship in static/fonts: no font package for them.
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu gettext tesseract-ocr tesseract-ocr-vie \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir -e . && python manage.py compilemessages --ignore=.venv -v0 || true
ENV DJANGO_SETTINGS_MODULE=cchc_portal.settings PYTHONUNBUFFERED=1
EXPOSE 8000
