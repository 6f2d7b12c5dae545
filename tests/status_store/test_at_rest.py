"""Nothing the store writes holds an ID number, its last six characters, a full name or a chat id."""

import subprocess
import sys
from pathlib import Path

from status_store.importer import import_file
from status_store.lookup import throttled_lookup
from status_store.throttle import LookupThrottle
from tests.status_store.helpers import read_csv
from tests.status_store.test_importer import SAMPLE

REPO = Path(__file__).resolve().parents[2]


def _written_bytes(folder: Path) -> bytes:
    # The database and any journal or WAL file SQLite left beside it.
    return b"".join(path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file())


def test_no_id_digits_names_or_conversation_ids_in_the_sqlite_file(settings, tmp_path):
    records = read_csv(SAMPLE)
    import_file(SAMPLE, settings=settings)
    import_file(SAMPLE, settings=settings)
    throttle = LookupThrottle(settings)
    throttled_lookup("resident-conversation-42", "SG2026110001", "999999", throttle=throttle)
    throttled_lookup("resident-conversation-42", "SG2026110001", "121017", throttle=throttle)
    raw = _written_bytes(tmp_path)
    assert b"SG2026110001" in raw  # the search itself works on this file
    for record in records:
        id_number = record["id_number"]
        for secret in (id_number, id_number[-6:], id_number[-6:].lower(), record["applicant_name"]):
            assert secret.encode("utf-8") not in raw, f"{record['application_no']}: found {len(secret)} chars"
    assert b"resident-conversation-42" not in raw


def test_importing_the_package_opens_no_database(tmp_path):
    db = tmp_path / "never" / "status.db"
    code = (
        "import status_store, status_store.importer, platform_core.db as db\n"
        "from status_store import lookup, LookupThrottle\n"
        "LookupThrottle()\n"
        "assert not db._engines\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "STATUS_DB_URL": f"sqlite:///{db}"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert not db.parent.exists()


def test_default_folder_is_created_on_first_use(tmp_path):
    from platform_core.db import dispose_engines
    from platform_core.settings import Settings
    from status_store.db import session_scope

    settings = Settings(status_db_url=f"sqlite:///{tmp_path / 'var' / 'status.db'}", hmac_secret=b"k")
    with session_scope(settings):
        pass
    dispose_engines()
    assert (tmp_path / "var" / "status.db").is_file()
