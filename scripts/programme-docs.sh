#!/usr/bin/env bash
# The draft programme (ИПСС) as the documents staff use: `sopro programme` writes DOCX and HTML
# for the contract's crisis family; python-docx (a real reader, installed into target/pydeps if
# the machine lacks it) checks the DOCX's table against the JSON programme; headless Chromium prints
# the HTML to PDF and saves a page image. Prints one `ok`/`FAILED` line per document.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/programme
mkdir -p "$out"
sopro=./target/debug/sopro
family=examples/family-crisis.json
rules=rules/khmao/2026.4
"$sopro" programme --rules "$rules" "$family" -o "$out/ipss.docx"
"$sopro" programme --rules "$rules" "$family" -o "$out/ipss.html"
"$sopro" assess --rules "$rules" "$family" --format json >"$out/assessment.json"

if ! python3 -c "import docx" 2>/dev/null && ! PYTHONPATH=target/pydeps python3 -c "import docx" 2>/dev/null; then
  echo "installing python-docx into target/pydeps"
  python3 -m pip install -q --disable-pip-version-check --target target/pydeps python-docx==1.2.0
fi
PYTHONPATH=target/pydeps python3 scripts/check_programme_docx.py "$out/ipss.docx" "$out/assessment.json"

html="file://$(pwd)/$out/ipss.html"
chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer --print-to-pdf="$out/ipss.pdf" "$html" 2>/dev/null
chromium --headless --no-sandbox --disable-gpu --window-size=1400,1000 --screenshot="$out/ipss.png" "$html" 2>/dev/null
if [ "$(head -c 4 "$out/ipss.pdf")" = "%PDF" ] && [ "$(stat -c %s "$out/ipss.pdf")" -gt 10000 ] && [ -s "$out/ipss.png" ]; then
  echo "ok     programme HTML printed to PDF by headless Chromium ($(stat -c %s "$out/ipss.pdf") bytes), page image $out/ipss.png"
else
  echo "FAILED programme HTML: no PDF or page image from Chromium"
  exit 1
fi

# A family's history (examples/history, four snapshots) as the HTML timeline page: Chromium
# renders it to a page image; the SVG chart and the overdue check must be on it.
"$sopro" history --rules rules/khmao --drafts --on 2027-04-10 examples/history --format html -o "$out/history.html"
chromium --headless --no-sandbox --disable-gpu --window-size=1100,1400 --screenshot="$out/history.png" "file://$(pwd)/$out/history.html" 2>/dev/null
if grep -q '<svg' "$out/history.html" && grep -q 'ПРОСРОЧЕН' "$out/history.html" && [ -s "$out/history.png" ]; then
  echo "ok     history HTML timeline rendered by headless Chromium, page image $out/history.png"
else
  echo "FAILED history HTML: no chart, no overdue check, or no page image"
  exit 1
fi
