"""Make the figures of the README from the seeds: the HTML view of one notice (a screenshot taken
with headless Chromium) and the theme heatmap of the seeds by city.

    .venv/bin/python docs/make_figures.py            # writes docs/show.html, docs/show.png, docs/chart.png

Without a ``chromium`` (or ``chromium-browser``, ``google-chrome``) on the PATH the screenshot is
skipped and said so; the HTML page is written all the same.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
NOTICE = Path("seeds") / "003_fa9ed41a6c031e20.txt"  # numbered, unnumbered and parallel directives


def main() -> int:
    import os

    os.chdir(ROOT)  # paths in the figures read as from the repository root
    sys.path.insert(0, str(ROOT))
    from extractor import extract_notice, extract_table
    from extractor.chart import write_chart
    from extractor.compare import compare_themes
    from extractor.show import write_html

    page = DOCS / "show.html"
    write_html(extract_notice(NOTICE), page)
    print(page)
    browser = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
    if browser:
        shot = DOCS / "show.png"
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--window-size=1000,1500", f"--screenshot={shot}", page.as_uri()],
                       check=True, capture_output=True, timeout=120)
        print(shot)
    else:
        print("no chromium on the PATH: docs/show.png not made", file=sys.stderr)
    table = compare_themes(extract_table("seeds"), "city")
    print(write_chart(table, "city", DOCS / "chart.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
