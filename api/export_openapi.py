"""Write the OpenAPI document to api/openapi.json (the designer generates its client from it).

python -m api.export_openapi            write it
python -m api.export_openapi --check    exit 1 when the committed file is stale
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from api.app import create_app
from api.settings import Settings

TARGET = Path(__file__).resolve().parent / "openapi.json"


def document() -> dict[str, Any]:
    # No database is touched: the schema comes from the routes alone.
    app = create_app(Settings(database_url="sqlite://", migrate_on_start=False, designer_dist=None))
    return app.openapi()


def render() -> str:
    return json.dumps(document(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is stale: run python -m api.export_openapi", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
