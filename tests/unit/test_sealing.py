import pytest
from cryptography.exceptions import InvalidTag

from policybound.domain.core.model import SealedBlob, WrappedKey
from policybound.domain.core.sealing import EnvelopeSealer
from tests.support.fakes import FakeKeks


def test_round_trip_and_a_fresh_data_key_per_record() -> None:
    sealer = EnvelopeSealer(FakeKeks())
    blob_a, key_a = sealer.seal("a", b"secret a")
    blob_b, key_b = sealer.seal("b", b"secret a")
    assert sealer.open("a", blob_a, key_a) == b"secret a"
    assert blob_a.ciphertext != blob_b.ciphertext
    assert key_a.wrapped != key_b.wrapped
    assert b"secret" not in blob_a.ciphertext


def test_a_blob_or_key_moved_to_another_record_does_not_open() -> None:
    sealer = EnvelopeSealer(FakeKeks())
    blob_a, key_a = sealer.seal("a", b"x")
    _blob_b, key_b = sealer.seal("b", b"y")
    with pytest.raises(InvalidTag):
        sealer.open("b", blob_a, key_a)
    with pytest.raises(InvalidTag):
        sealer.open("a", blob_a, key_b)


def test_tampering_is_detected() -> None:
    sealer = EnvelopeSealer(FakeKeks())
    blob, key = sealer.seal("a", b"payload")
    flipped = bytearray(blob.ciphertext)
    flipped[-1] ^= 1
    with pytest.raises(InvalidTag):
        sealer.open("a", SealedBlob(bytes(flipped)), key)


def test_without_its_own_data_key_a_record_cannot_be_opened() -> None:
    keks = FakeKeks()
    sealer = EnvelopeSealer(keks)
    blob, key = sealer.seal("a", b"payload")
    _, other_key = sealer.seal("a", b"other")
    # Same id, same KEK, but another data key: crypto-shredding relies on exactly this.
    with pytest.raises(InvalidTag):
        sealer.open("a", blob, WrappedKey(other_key.wrapped, key.kek_ciphertext))


def test_kek_is_reused_across_records() -> None:
    keks = FakeKeks()
    sealer = EnvelopeSealer(keks)
    for n in range(5):
        sealer.seal(str(n), b"x")
    assert keks.generated == 1
