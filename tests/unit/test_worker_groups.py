"""`make test` spreads the tests over pytest-xdist workers by group; a fixture shared across modules is
only shared, and a check that reads what other modules did only sees it, within one group."""

from __future__ import annotations

from tests.conftest import TESTS, worker_group


def test_the_pi_leak_walk_shares_the_local_mode_of_every_end_to_end_module_it_reads() -> None:
    leak_walk = worker_group(TESTS / "e2e" / "test_zz_pi_leaks.py")
    others = [path for path in (TESTS / "e2e").glob("test_*.py") if path.name != "test_fuzz.py"]
    assert len(others) > 2
    assert {worker_group(path) for path in others} == {leak_walk}


def test_the_infrastructure_tests_share_one_synthesized_app() -> None:
    assert len({worker_group(path) for path in (TESTS / "infra").glob("test_*.py")}) == 1


def test_modules_with_a_local_mode_or_moto_account_of_their_own_are_groups_of_their_own() -> None:
    own = [
        TESTS / "e2e" / "test_fuzz.py",
        *(TESTS / "e2e" / "browser").glob("test_*.py"),
        *(TESTS / "integration").glob("test_*.py"),
    ]
    groups = [worker_group(path) for path in own]
    assert len(set(groups)) == len(own)
    assert worker_group(TESTS / "e2e" / "test_fuzz.py") != worker_group(TESTS / "e2e" / "test_local_mode.py")
