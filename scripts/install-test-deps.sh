#!/usr/bin/env bash
# Install what the test suite needs: Debian packages (tesseract with Korean and Japanese data for the OCR
# round trip, chromium for the report's browser test, fribidi for Pillow's text layout) and the package
# with its test extras. Needs root (or sudo) for apt-get.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  tesseract-ocr tesseract-ocr-kor tesseract-ocr-jpn chromium libfribidi0 >/dev/null
python -m pip install -q --disable-pip-version-check -e ".[test]"
