"""Runs Ralph's own ``ralph runserver`` (in Ralph's virtual environment, never the kiosk's).

One change, and why: Ralph 5.1.0's filesystem backend writes its statements file with the
CREATE operation, which refuses every write after the first ("fs_lrs.jsonl already exists and
overwrite is not allowed"): as shipped it stores one POST and answers 500 to all later ones.
Its backends also support APPEND, which is what a log of statements needs; the production
backends (Elasticsearch, ClickHouse, MongoDB) index and are unaffected. Everything else,
authentication, validation, the id checks (204 for a statement it has, 409 for a different one
with the same id), queries, is Ralph's as released. Set at import, so uvicorn's spawned server
process, which imports this module again, has it too.
"""

import sys

from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    from ralph.cli import cli

    sys.exit(cli())
