"""The Merkle log against RFC 6962's published vectors, its own definition, and every corruption
of a proof we can think of."""

from __future__ import annotations

import hashlib
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deconflict.errors import ValidationError
from deconflict.ledger.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    inclusion_proof_length,
    leaf_hash,
    node_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)

# The leaves and tree heads of Certificate Transparency's reference implementations (the Go
# and C++ merkle tree tests, transparency-dev/merkle testonly): facts, embedded as data.
CT_LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f")]
CT_ROOTS = [bytes.fromhex(h) for h in (
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")]
# (leaf index, tree size, audit path)
CT_INCLUSION = [
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (0, 1, []),
]
# (old size, new size, proof)
CT_CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (2, 8, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
]

LIMIT = 100
LEAVES = [leaf_hash(hashlib.sha256(b"leaf %d" % i).digest()) for i in range(LIMIT)]
ROOTS = [root_of(LEAVES[:n]) for n in range(LIMIT + 1)]


@pytest.fixture(scope="module")
def tree() -> MerkleTree:
    return MerkleTree(LEAVES)


def _flip(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


# -- the published vectors ---------------------------------------------------------------------

def test_hashing_prefixes() -> None:
    assert EMPTY_ROOT == hashlib.sha256(b"").digest() == CT_ROOTS[0]
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    a, b = b"a" * 32, b"b" * 32
    assert node_hash(a, b) == hashlib.sha256(b"\x01" + a + b).digest()


def test_roots_match_rfc6962_vectors_at_every_size() -> None:
    hashes = [leaf_hash(d) for d in CT_LEAVES]
    tree = MerkleTree()
    assert tree.root() == CT_ROOTS[0]
    for n, leaf in enumerate(hashes, start=1):
        assert tree.append(leaf) == n - 1
        assert tree.root() == CT_ROOTS[n] == root_of(hashes[:n])
    assert [tree.root(n) for n in range(9)] == CT_ROOTS


@pytest.mark.parametrize(("index", "size", "path"), CT_INCLUSION)
def test_inclusion_proofs_match_vectors(index: int, size: int, path: list[str]) -> None:
    tree = MerkleTree(leaf_hash(d) for d in CT_LEAVES)
    proof = tree.inclusion_proof(index, size)
    assert [p.hex() for p in proof] == path
    assert verify_inclusion(leaf_hash(CT_LEAVES[index]), index, size, proof, CT_ROOTS[size])


@pytest.mark.parametrize(("old", "new", "path"), CT_CONSISTENCY)
def test_consistency_proofs_match_vectors(old: int, new: int, path: list[str]) -> None:
    tree = MerkleTree(leaf_hash(d) for d in CT_LEAVES)
    proof = tree.consistency_proof(old, new)
    assert [p.hex() for p in proof] == path
    assert verify_consistency(old, new, CT_ROOTS[old], CT_ROOTS[new], proof)


# -- every size up to 100 ----------------------------------------------------------------------

def test_roots_at_every_size_match_the_definition(tree: MerkleTree) -> None:
    assert [tree.root(n) for n in range(LIMIT + 1)] == ROOTS
    appended = MerkleTree()
    for n, leaf in enumerate(LEAVES, start=1):
        appended.append(leaf)
        assert appended.root() == ROOTS[n]


def test_every_inclusion_proof_up_to_100_verifies(tree: MerkleTree) -> None:
    for n in range(1, LIMIT + 1):
        for i in range(n):
            proof = tree.inclusion_proof(i, n)
            assert len(proof) == inclusion_proof_length(i, n)
            assert verify_inclusion(LEAVES[i], i, n, proof, ROOTS[n]), (i, n)


def test_every_consistency_proof_for_all_pairs_up_to_100(tree: MerkleTree) -> None:
    for n in range(LIMIT + 1):
        for m in range(n + 1):
            proof = tree.consistency_proof(m, n)
            assert verify_consistency(m, n, ROOTS[m], ROOTS[n], proof), (m, n)
            if 0 < m < n:  # the proof binds both roots, not just one
                assert not verify_consistency(m, n, ROOTS[m - 1], ROOTS[n], proof)
                assert not verify_consistency(m, n, ROOTS[m], ROOTS[n - 1], proof)
                assert not verify_consistency(m, n, ROOTS[m], ROOTS[n], proof[:-1])
                assert not verify_consistency(m, n, ROOTS[m], ROOTS[n], [*proof, ROOTS[1]])


def test_proofs_at_random_larger_sizes_match_the_definition() -> None:
    rng = random.Random(6962)
    leaves = [hashlib.sha256(b"%d" % i).digest() for i in range(3000)]
    tree = MerkleTree()
    tree.extend(leaves[:1234])
    for leaf in leaves[1234:]:
        tree.append(leaf)
    for _ in range(25):
        n = rng.randint(1, len(leaves))
        m = rng.randint(0, n)
        i = rng.randrange(n)
        root = root_of(leaves[:n])
        assert tree.root(n) == root
        assert verify_inclusion(leaves[i], i, n, tree.inclusion_proof(i, n), root)
        assert verify_consistency(m, n, root_of(leaves[:m]), root, tree.consistency_proof(m, n))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 600), st.data())
def test_property_proofs_verify_and_only_for_their_leaf(n: int, data: st.DataObject) -> None:
    leaves = [hashlib.sha256(b"p%d" % i).digest() for i in range(n)]
    tree = MerkleTree(leaves)
    i = data.draw(st.integers(0, n - 1))
    m = data.draw(st.integers(0, n))
    proof = tree.inclusion_proof(i, n)
    assert verify_inclusion(leaves[i], i, n, proof, tree.root())
    other = data.draw(st.integers(0, n - 1))
    if leaves[other] != leaves[i]:
        assert not verify_inclusion(leaves[other], i, n, proof, tree.root())
    assert verify_consistency(m, n, tree.root(m), tree.root(), tree.consistency_proof(m, n))


# -- corruption --------------------------------------------------------------------------------

def test_a_flipped_bit_in_any_inclusion_proof_element_fails(tree: MerkleTree) -> None:
    rng = random.Random(1)
    for n in range(2, LIMIT + 1):
        for i in range(n):
            proof = tree.inclusion_proof(i, n)
            for k in range(len(proof)):
                bad = list(proof)
                bad[k] = _flip(bad[k], rng.randrange(256))
                assert not verify_inclusion(LEAVES[i], i, n, bad, ROOTS[n]), (i, n, k)


def test_every_bit_of_every_element_matters_in_sample_proofs(tree: MerkleTree) -> None:
    for i, n in [(0, 100), (37, 64), (63, 65), (99, 100), (50, 77)]:
        proof = tree.inclusion_proof(i, n)
        for k in range(len(proof)):
            for bit in range(256):
                bad = [*proof[:k], _flip(proof[k], bit), *proof[k + 1:]]
                assert not verify_inclusion(LEAVES[i], i, n, bad, ROOTS[n])
    for m, n in [(1, 100), (37, 64), (63, 65), (64, 100), (50, 77)]:
        proof = tree.consistency_proof(m, n)
        for k in range(len(proof)):
            for bit in range(256):
                bad = [*proof[:k], _flip(proof[k], bit), *proof[k + 1:]]
                assert not verify_consistency(m, n, ROOTS[m], ROOTS[n], bad)


def test_a_flipped_bit_in_any_consistency_proof_element_fails(tree: MerkleTree) -> None:
    rng = random.Random(2)
    for n in range(2, LIMIT + 1):
        for m in range(1, n):
            proof = tree.consistency_proof(m, n)
            for k in range(len(proof)):
                bad = list(proof)
                bad[k] = _flip(bad[k], rng.randrange(256))
                assert not verify_consistency(m, n, ROOTS[m], ROOTS[n], bad), (m, n, k)


def test_inclusion_proof_with_wrong_position_or_shape_fails(tree: MerkleTree) -> None:
    # (A size is only bound through its root: the checkpoint signs the two together.)
    for n in range(2, LIMIT, 7):
        for i in range(0, n, 3):
            proof = tree.inclusion_proof(i, n)
            assert not verify_inclusion(LEAVES[i], (i + 1) % n, n, proof, ROOTS[n])
            assert not verify_inclusion(LEAVES[i], i, n + 1, proof, ROOTS[n + 1])
            assert not verify_inclusion(LEAVES[i], i, n, proof[:-1], ROOTS[n])
            assert not verify_inclusion(LEAVES[i], i, n, [*proof, ROOTS[0]], ROOTS[n])
            assert not verify_inclusion(LEAVES[i], i, n, proof[::-1] if len(proof) > 1
                                        and proof[0] != proof[-1] else [], ROOTS[n])


@pytest.mark.parametrize("bad", [
    lambda p, r: (b"short", 0, 8, p, r),
    lambda p, r: (LEAVES[0], 0, 8, p, b"short"),
    lambda p, r: (LEAVES[0], 0, 8, [b"x" * 31, *p[1:]], r),
    lambda p, r: (LEAVES[0], 0, 8, "not a list", r),
    lambda p, r: (LEAVES[0], -1, 8, p, r),
    lambda p, r: (LEAVES[0], 8, 8, p, r),
    lambda p, r: (LEAVES[0], 0, 0, p, r),
    lambda p, r: (LEAVES[0], "0", 8, p, r),
])
def test_malformed_inclusion_input_is_false_not_an_error(bad: object, tree: MerkleTree) -> None:
    args = bad(tree.inclusion_proof(0, 8), ROOTS[8])  # type: ignore[operator]
    assert verify_inclusion(*args) is False


def test_malformed_consistency_input_is_false_not_an_error(tree: MerkleTree) -> None:
    proof = tree.consistency_proof(6, 8)
    assert not verify_consistency(8, 6, ROOTS[8], ROOTS[6], proof)
    assert not verify_consistency(6, 8, b"short", ROOTS[8], proof)
    assert not verify_consistency(6, 8, ROOTS[6], ROOTS[8], [b"x", *proof[1:]])
    assert not verify_consistency(6, 8, ROOTS[6], ROOTS[8], [])
    assert not verify_consistency(6, 8, ROOTS[6], ROOTS[8], None)  # type: ignore[arg-type]
    assert verify_consistency(4, 4, ROOTS[4], ROOTS[4], [])
    assert not verify_consistency(4, 4, ROOTS[4], ROOTS[5], [])
    assert not verify_consistency(4, 4, ROOTS[4], ROOTS[4], [ROOTS[4]])
    assert verify_consistency(0, 8, EMPTY_ROOT, ROOTS[8], [])
    assert not verify_consistency(0, 8, ROOTS[1], ROOTS[8], [])
    assert not verify_consistency(0, 8, EMPTY_ROOT, ROOTS[8], [ROOTS[1]])


def test_out_of_range_requests_are_validation_errors(tree: MerkleTree) -> None:
    with pytest.raises(ValidationError) as exc:
        tree.inclusion_proof(100)
    assert exc.value.field == "index"
    with pytest.raises(ValidationError):
        tree.inclusion_proof(0, 101)
    with pytest.raises(ValidationError):
        tree.consistency_proof(5, 4)
    with pytest.raises(ValidationError):
        tree.root(101)
    with pytest.raises(ValidationError):
        MerkleTree().append(b"too short")


def test_extend_and_append_build_the_same_tree_and_proofs_stay_fresh() -> None:
    one, many = MerkleTree(), MerkleTree()
    for k, leaf in enumerate(LEAVES):
        one.append(leaf)
        if k % 10 == 9:
            many.extend(LEAVES[k - 9:k + 1])
            # Proofs asked for between appends must see the new leaves.
            assert one.inclusion_proof(0) == many.inclusion_proof(0)
            assert one.root() == many.root() == ROOTS[k + 1]
    assert one.leaf(42) == LEAVES[42] and len(one) == LIMIT
