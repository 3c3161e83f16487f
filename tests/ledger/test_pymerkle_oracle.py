"""pymerkle (an independent implementation, RFC 9162 hashing with its default security prefixes
0x00/0x01) agrees with our roots and audit paths; its own consistency proofs, in its own layout,
accept our roots as consistent."""

from __future__ import annotations

import hashlib

import pytest
from pymerkle import InmemoryTree, InvalidProof
from pymerkle import verify_consistency as pymerkle_consistency
from pymerkle import verify_inclusion as pymerkle_inclusion

from deconflict.ledger.merkle import MerkleTree, leaf_hash

DATA = [hashlib.sha256(b"entry %d" % i).digest() + bytes([i % 7]) * (i % 5)
        for i in range(130)]


@pytest.fixture(scope="module")
def oracle() -> InmemoryTree:
    tree = InmemoryTree(algorithm="sha256")
    assert tree.security  # 0x00 / 0x01 prefixes, as RFC 9162
    for data in DATA:
        tree.append_entry(data)
    return tree


@pytest.fixture(scope="module")
def ours() -> MerkleTree:
    return MerkleTree(leaf_hash(d) for d in DATA)


def test_leaves_and_roots_agree_at_every_size(oracle: InmemoryTree, ours: MerkleTree) -> None:
    assert oracle.get_root(0) == ours.root(0)
    for n in range(1, len(DATA) + 1):
        assert oracle.get_leaf(n) == ours.leaf(n - 1)  # pymerkle counts from one
        assert oracle.get_root(n) == ours.root(n)


def test_audit_paths_agree(oracle: InmemoryTree, ours: MerkleTree) -> None:
    for n in (1, 2, 3, 7, 8, 9, 31, 64, 100, 130):
        for i in range(0, n, max(1, n // 9)):
            theirs = oracle.prove_inclusion(i + 1, n)
            # pymerkle's path starts with the leaf itself, then the RFC audit path.
            assert theirs.path[0] == ours.leaf(i)
            assert theirs.path[1:] == ours.inclusion_proof(i, n)
            pymerkle_inclusion(ours.leaf(i), ours.root(n), theirs)


def test_their_consistency_proofs_accept_our_roots(oracle: InmemoryTree,
                                                   ours: MerkleTree) -> None:
    for n in (2, 5, 8, 13, 64, 100, 130):
        for m in range(1, n, max(1, n // 7)):
            pymerkle_consistency(ours.root(m), ours.root(n), oracle.prove_consistency(m, n))


def test_the_oracle_is_not_a_no_op(oracle: InmemoryTree, ours: MerkleTree) -> None:
    with pytest.raises(InvalidProof):
        pymerkle_inclusion(ours.leaf(3), ours.root(99), oracle.prove_inclusion(4, 100))
    with pytest.raises(InvalidProof):
        pymerkle_consistency(ours.root(9), ours.root(100), oracle.prove_consistency(10, 100))
