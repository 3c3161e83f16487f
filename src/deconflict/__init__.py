"""deconflict: a deconfliction hub for parties that do not trust each other.

The public Python API is re-exported here; the CLI is a thin shell over it.
"""

from deconflict.errors import DeconflictError

__all__ = ["DeconflictError", "__version__"]
__version__ = "0.1.0"
