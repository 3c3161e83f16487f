"""The hub's store: one :class:`Store` contract, backends as small overrides of one SQL store.

>>> import tempfile, os
>>> with tempfile.TemporaryDirectory() as folder:
...     store = open_store(os.path.join(folder, "hub.db"))
...     version = store.schema_version
...     store.close()
>>> version >= 1
True
"""

from deconflict.storage.base import Store
from deconflict.storage.sql import SqlStore
from deconflict.storage.sqlite import SqliteStore, open_store

__all__ = ["SqlStore", "SqliteStore", "Store", "open_store"]
