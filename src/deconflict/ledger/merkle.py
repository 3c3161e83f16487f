"""The Merkle log: RFC 9162 (Certificate Transparency v2) tree hashing, inclusion and consistency
proofs, written here rather than borrowed so that every step can be read and checked.

Hashing (RFC 9162 §2.1.1): a leaf is ``SHA-256(0x00 || data)``, an interior node is
``SHA-256(0x01 || left || right)``, the empty tree is ``SHA-256("")``, and a tree of ``n > 1``
leaves splits at ``k``, the largest power of two below ``n``.

:class:`MerkleTree` keeps, for every level, the hashes of the complete subtrees it has built, in
one flat ``bytearray`` per level (32 bytes each: a million leaves take 64 MB, not the 150 MB of a
list of ``bytes``). A complete, aligned subtree is then a slice, and an incomplete one only ever
lies on the right edge of the tree at some size; those are folded from the complete ones once per
size and cached. A proof at a million leaves costs about 20 look-ups and no more than 20 hashes.

>>> tree = MerkleTree()
>>> tree.extend(leaf_hash(bytes([i])) for i in range(7))
>>> proof = tree.inclusion_proof(3)
>>> verify_inclusion(leaf_hash(b"\\x03"), 3, 7, proof, tree.root())
True
>>> verify_consistency(3, 7, tree.root(3), tree.root(), tree.consistency_proof(3))
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from deconflict.errors import ValidationError

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MerkleTree",
    "inclusion_proof_length",
    "leaf_hash",
    "node_hash",
    "root_of",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
#: The root of the empty tree: SHA-256 of nothing (RFC 9162 §2.1.1).
EMPTY_ROOT = hashlib.sha256(b"").digest()

_LEAF = b"\x00"
_NODE = b"\x01"
_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 || data)``.

    >>> leaf_hash(b"").hex()[:16]
    '6e340b9cffb37a98'
    """
    return _sha256(_LEAF + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``."""
    return _sha256(_NODE + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """The root of the tree over ``leaf_hashes``, by the definition (recursive, no cache): the
    reference the fast tree is tested against."""
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = _split(n)
    return node_hash(root_of(leaf_hashes[:k]), root_of(leaf_hashes[k:]))


def inclusion_proof_length(index: int, size: int) -> int:
    """How many hashes an inclusion proof of ``index`` in a tree of ``size`` leaves holds."""
    length, start, end = 0, 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            end = start + k
        else:
            start += k
        length += 1
    return length


class MerkleTree:
    """An append-only tree of leaf hashes held in memory, with roots and proofs at any size up to
    the current one."""

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self._edges: dict[int, dict[int, bytes]] = {}
        self.extend(leaf_hashes)

    @property
    def size(self) -> int:
        """The number of leaves."""
        return len(self._levels[0]) // HASH_SIZE

    def __len__(self) -> int:
        return self.size

    def append(self, leaf: bytes) -> int:
        """Add one leaf hash; returns its index."""
        _check_hash(leaf, "leaf_hash")
        index = self.size
        self._levels[0] += leaf
        level, node = 0, index
        # Carry upward while the new node completes a pair, like incrementing a binary counter.
        while node & 1:
            below = self._levels[level]
            pair = below[(node - 1) * HASH_SIZE:(node + 1) * HASH_SIZE]
            if level + 1 == len(self._levels):
                self._levels.append(bytearray())
            self._levels[level + 1] += _sha256(_NODE + pair).digest()
            level, node = level + 1, node >> 1
        self._edges.clear()
        return index

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Add many leaf hashes at once, hashing each new level in one pass."""
        added = bytearray()
        for leaf in leaf_hashes:
            _check_hash(leaf, "leaf_hash")
            added += leaf
        if not added:
            return
        self._levels[0] += added
        level = 0
        while len(self._levels[level]) >= 2 * HASH_SIZE:
            below = self._levels[level]
            if level + 1 == len(self._levels):
                self._levels.append(bytearray())
            above = self._levels[level + 1]
            have = len(above) // HASH_SIZE
            want = len(below) // (2 * HASH_SIZE)
            step = 2 * HASH_SIZE
            above += b"".join(_sha256(_NODE + below[i:i + step]).digest()
                              for i in range(have * step, want * step, step))
            level += 1
        self._edges.clear()

    def leaf(self, index: int) -> bytes:
        """The leaf hash at ``index``."""
        self._check_index(index, self.size)
        return bytes(self._levels[0][index * HASH_SIZE:(index + 1) * HASH_SIZE])

    def root(self, size: int | None = None) -> bytes:
        """The root at ``size`` leaves (default: all of them)."""
        size = self._size_or_current(size, "size")
        if size == 0:
            return EMPTY_ROOT
        return self._subtree(0, size, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """The audit path of leaf ``index`` in the tree at ``size`` (RFC 9162 §2.1.3.1), from
        the leaf's sibling up to the root's child."""
        size = self._size_or_current(size, "size")
        self._check_index(index, size)
        path: list[bytes] = []
        start, end = 0, size
        while end - start > 1:
            k = _split(end - start)
            if index < start + k:
                path.append(self._subtree(start + k, end, size))
                end = start + k
            else:
                path.append(self._subtree(start, start + k, size))
                start += k
        path.reverse()
        return path

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """The proof that the tree at ``old_size`` is a prefix of the tree at ``new_size``
        (RFC 9162 §2.1.4.1). Empty when ``old_size`` is 0 or equals ``new_size``."""
        new_size = self._size_or_current(new_size, "new_size")
        if not 0 <= old_size <= new_size:
            raise ValidationError(f"old size {old_size} is not between 0 and {new_size}",
                                  field="old_size")
        if old_size in (0, new_size):
            return []
        tail: list[bytes] = []
        start, end, whole = 0, new_size, True
        while old_size != end:
            k = _split(end - start)
            if old_size <= start + k:
                tail.append(self._subtree(start + k, end, new_size))
                end = start + k
            else:
                tail.append(self._subtree(start, start + k, new_size))
                start += k
                whole = False
        head = [] if whole else [self._subtree(start, end, new_size)]
        return head + tail[::-1]

    # -- internals -----------------------------------------------------------------------------

    def _subtree(self, start: int, end: int, size: int) -> bytes:
        """The hash of leaves ``[start, end)``: a complete aligned subtree, or one on the right
        edge of the tree at ``size`` (the only incomplete subtrees proofs ever need)."""
        width = end - start
        if width & (width - 1) == 0 and start % width == 0:
            level = width.bit_length() - 1
            at = (start >> level) * HASH_SIZE
            return bytes(self._levels[level][at:at + HASH_SIZE])
        return self._right_edge(size)[start]

    def _right_edge(self, size: int) -> dict[int, bytes]:
        """``start -> hash of [start, size)`` for every subtree on the right edge at ``size``,
        folded from the complete subtrees of ``size``'s binary decomposition."""
        edge = self._edges.get(size)
        if edge is not None:
            return edge
        starts, blocks = [], []
        start = 0
        for level in range(size.bit_length() - 1, -1, -1):
            if size >> level & 1:
                at = (start >> level) * HASH_SIZE
                starts.append(start)
                blocks.append(bytes(self._levels[level][at:at + HASH_SIZE]))
                start += 1 << level
        edge = {starts[-1]: blocks[-1]}
        acc = blocks[-1]
        for s, block in zip(reversed(starts[:-1]), reversed(blocks[:-1]), strict=True):
            acc = node_hash(block, acc)
            edge[s] = acc
        if len(self._edges) >= 8:  # a few sizes at a time: the current one and some old ones
            self._edges.clear()
        self._edges[size] = edge
        return edge

    def _size_or_current(self, size: int | None, field: str) -> int:
        if size is None:
            return self.size
        if not 0 <= size <= self.size:
            raise ValidationError(f"tree size {size} is not between 0 and {self.size}",
                                  field=field)
        return size

    @staticmethod
    def _check_index(index: int, size: int) -> None:
        if not 0 <= index < size:
            raise ValidationError(f"leaf index {index} is not below the tree size {size}",
                                  field="index")


def _check_hash(value: bytes, field: str) -> None:
    if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
        raise ValidationError(f"a hash is {HASH_SIZE} bytes", field=field)


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def _all_hashes(values: object) -> bool:
    return isinstance(values, list | tuple) and all(_is_hash(v) for v in values)


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes],
                     root: bytes) -> bool:
    """Whether ``proof`` shows leaf hash ``leaf`` at ``index`` in the tree of ``size`` leaves
    whose root is ``root`` (RFC 9162 §2.1.3.2). False on any malformed input."""
    if not (_is_hash(leaf) and _is_hash(root) and _all_hashes(proof)):
        return False
    if not (isinstance(index, int) and isinstance(size, int) and 0 <= index < size):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """Whether ``proof`` shows the tree of ``old_size`` leaves with root ``old_root`` to be a
    prefix of the tree of ``new_size`` leaves with root ``new_root`` (RFC 9162 §2.1.4.2).

    Every tree extends the empty one, and a tree extends itself only with an empty proof. False
    on any malformed input."""
    if not (_is_hash(old_root) and _is_hash(new_root) and _all_hashes(proof)):
        return False
    if not (isinstance(old_size, int) and isinstance(new_size, int)
            and 0 <= old_size <= new_size):
        return False
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if old_size == new_size:
        return not proof and old_root == new_root
    return _fold_consistency(old_size, new_size, old_root, new_root, list(proof))


def _fold_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                      path: list[bytes]) -> bool:
    if not path:
        return False
    if old_size & (old_size - 1) == 0:  # the old tree is a complete subtree: its root starts
        path = [old_root, *path]
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root
