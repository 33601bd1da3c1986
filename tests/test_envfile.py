"""The .env store: our two lines change, every other byte of the user's file survives."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path

import pytest

from litellm_key.envfile import normalized_expiry, render_update, stored_key, update_env
from litellm_key.errors import KeyRejected
from litellm_key.keyhelper import KEY_VARIABLE, is_plain, plain_values
from litellm_key.secret import ClientKey

KEY = "LITELLM_API_KEY"
URL = "LITELLM_BASE_URL"

# (file before, updates, file after): our lines rewritten in place or appended, nothing else touched
ROUND_TRIPS = [
    pytest.param("", {KEY: "sk-new"}, "LITELLM_API_KEY=sk-new\n", id="empty file"),
    pytest.param(
        "# my settings\nexport FOO='bar baz'\n\nLITELLM_API_KEY=sk-old\nOTHER=\"x\"  # keep me\n",
        {KEY: "sk-new"},
        "# my settings\nexport FOO='bar baz'\n\nLITELLM_API_KEY=sk-new\nOTHER=\"x\"  # keep me\n",
        id="comments, export and quotes around",
    ),
    pytest.param(
        "export LITELLM_API_KEY=\"sk-old\"\n",
        {KEY: "sk-new"},
        "export LITELLM_API_KEY=\"sk-new\"\n",
        id="our line keeps its export prefix and quotes",
    ),
    pytest.param(
        "A=1\r\nB=2\r\n",
        {KEY: "sk-new", URL: "http://localhost:8080"},
        "A=1\r\nB=2\r\nLITELLM_API_KEY=sk-new\r\nLITELLM_BASE_URL=http://localhost:8080\r\n",
        id="CRLF file gets CRLF lines",
    ),
    pytest.param("A=1", {KEY: "sk-new"}, "A=1\nLITELLM_API_KEY=sk-new\n", id="missing trailing newline"),
    pytest.param(
        "GREETING=héllo wörld ✓\nLITELLM_API_KEY=sk-old\n",
        {KEY: "sk-new"},
        "GREETING=héllo wörld ✓\nLITELLM_API_KEY=sk-new\n",
        id="unicode",
    ),
    pytest.param(
        "MULTI=\"line one\nLITELLM_API_KEY=not-a-real-line\"\nLITELLM_API_KEY=sk-old\n",
        {KEY: "sk-new"},
        "MULTI=\"line one\nLITELLM_API_KEY=not-a-real-line\"\nLITELLM_API_KEY=sk-new\n",
        id="look-alike inside a multi-line value is left alone",
    ),
    pytest.param(
        "A=1\n\n\nLITELLM_API_KEY=sk-old\nB=2\n",
        {KEY: None},
        "A=1\n\n\nB=2\n",
        id="removal keeps the blank lines above",
    ),
]


def plain_value(text: str) -> str | None:
    """The key as the fast path reads it (`plain_values` + `is_plain`, as keyhelper.answer and
    envfile.stored_values use them), or None where it hands the file to python-dotenv."""
    values = plain_values(text, (KEY_VARIABLE,))
    value = values.get(KEY_VARIABLE) if values else None
    return value if is_plain(value) else None


@pytest.mark.parametrize(("before", "updates", "after"), ROUND_TRIPS)
def test_update_rewrites_only_our_lines(tmp_path, before, updates, after):
    env_file = tmp_path / ".env"
    env_file.write_bytes(before.encode())
    update_env(env_file, updates)
    assert env_file.read_bytes().decode() == after


def test_update_keeps_bytes_that_are_not_utf8(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_bytes(b"LATIN1=caf\xe9\n")
    update_env(env_file, {KEY: "sk-new"})
    assert env_file.read_bytes() == b"LATIN1=caf\xe9\nLITELLM_API_KEY=sk-new\n"


def test_update_makes_a_world_readable_file_0600(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("A=1\n")
    env_file.chmod(0o644)
    update_env(env_file, {KEY: "sk-new"})
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600


def test_second_identical_update_changes_nothing(tmp_path):
    env_file = tmp_path / ".env"
    assert update_env(env_file, {KEY: "sk-new"}) is True
    mtime = env_file.stat().st_mtime_ns
    assert update_env(env_file, {KEY: "sk-new"}) is False
    assert env_file.stat().st_mtime_ns == mtime


def test_an_update_that_changes_nothing_asks_git_nothing(tmp_path, monkeypatch):
    """Every warm setup re-stores the same key: git (three runs per check) is asked
    only when the key is about to be written."""
    log = tmp_path / "git.log"
    fake = tmp_path / "bin" / "git"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexit 1\n')  # "not in a repository"
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:/usr/bin:/bin")
    env_file = tmp_path / ".env"

    assert update_env(env_file, {KEY_VARIABLE: "sk-one-0123456789"}) is True
    asked = log.read_text().count("\n")
    assert update_env(env_file, {KEY_VARIABLE: "sk-one-0123456789"}) is False

    assert asked > 0 and log.read_text().count("\n") == asked


def test_update_leaves_no_temp_files(tmp_path):
    update_env(tmp_path / ".env", {KEY: "sk-new"})
    assert [p.name for p in tmp_path.iterdir()] == [".env"]


def test_duplicate_assignments_all_get_the_new_value():
    assert render_update("LITELLM_API_KEY=a\nLITELLM_API_KEY=b\n", {KEY: "c"}) == "LITELLM_API_KEY=c\nLITELLM_API_KEY=c\n"


def _writer(env_file: str, index: int) -> None:
    for round_ in range(20):
        update_env(Path(env_file), {f"WRITER_{index}": str(round_)})


def test_concurrent_writers_never_lose_an_update(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("# shared\n")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(env_file), index)) for index in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    from dotenv import dotenv_values

    assert {f"WRITER_{index}": "19" for index in range(6)} == dotenv_values(env_file)
    assert env_file.read_text().startswith("# shared\n")


AGREEMENT = [
    "A=1\nB='two words'\nC=\"x\"  # note\nexport D=4\n",
    "A=b#c\nB=#x\nC= # only comment\nD='q'#c\n",
    "A=bar baz\n",
    "A=\"esc\\\"aped\"\n",
    "A=\"multi\nline\"\nLITELLM_API_KEY=sk-real\n",
    "MULTI=\"x\nLITELLM_API_KEY=fake\"\n",
    "A=$HOME\nB=\"${USER}\"\n",
    "  indented = value  \n#c\n\n",
    "A\nB=1\n",
]


HELPER_CORPUS = AGREEMENT + [before for before, _, _ in (p.values for p in ROUND_TRIPS)] + [
    "LITELLM_API_KEY=sk-a\nLITELLM_API_KEY\n",
    "LITELLM_API_KEY=sk-a # note\n",
    "# LITELLM_API_KEY=sk-old\nexport\tLITELLM_API_KEY=sk-new\n",
    "LITELLM_API_KEY=sk-a\nNOTE='x\nLITELLM_API_KEY=sk-fake'\n",
    "LITELLM_API_KEY=\"sk-q\"\nLITELLM_API_KEY_OLD=sk-other\n",
    # separators str.splitlines honours and python-dotenv does not: one line for dotenv
    *(f"LITELLM_API_KEY=sk-good\nFOO=bar{sep}LITELLM_API_KEY=sk-other\n" for sep in "\f\v\x1c\x1d\x1e\x1f\x85\u2028\u2029"),
    "LITELLM_API_KEY=sk-good\rLITELLM_API_KEY=sk-cr\n",  # a lone CR ends a line for dotenv
    "# Don't commit this file\nLITELLM_API_KEY=sk-a\n",
    "LITELLM_API_KEY=sk-a\n# it's \"odd\nODD='x\n",
    "LITELLM_API_KEY #x=1\n",  # dotenv: the variable, with no value
    "LITELLM_API_KEY=sk-a\nLITELLM_API_KEY # note\n",
    "'LITELLM_API_KEY'=sk-quoted-key\n",
    "x\"=\" c\nLITELLM_API_KEY=sk-fake\"\nLITELLM_API_KEY=sk-b\n",  # a quote in the name opens a value
    "A=\"x\\\"\nLITELLM_API_KEY=sk-fake\" \"\nLITELLM_API_KEY=sk-c\n",  # an escaped quote
    "LITELLM_API_KEY=\"sk-q\" # note\nB='y'#c\n",
    "LITELLM_API_KEY=\"sk-q\"tail\n",
    "LITELLM_API_KEY=sk-a\tb\n",
    "\ufeffLITELLM_API_KEY=sk-bom\n",
    "  export   LITELLM_API_KEY =  sk-sp  \n",
    "LITELLM_API_KEY=sk-a\nLITELLM_API_KEY=\n",
]


def _fuzz_corpus(count: int = 300) -> list[str]:
    """Random lines built from the pieces that trip line readers (seeded: the same every run)."""
    import random

    rng = random.Random(9)
    pieces = ["LITELLM_API_KEY", "=", "sk-a", "sk-b", "'", '"', "\\", "#", " ", "\t", "export ", "\f", "\r", "\n", "x", "\u2028", "$"]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 14))) for _ in range(count)]


def _dotenv_reads(text: str) -> str | None:
    import io

    from dotenv import dotenv_values

    return dotenv_values(stream=io.StringIO(text), interpolate=False).get("LITELLM_API_KEY")


@pytest.mark.parametrize("text", HELPER_CORPUS)
def test_api_key_helper_reader_never_disagrees_with_python_dotenv(text):
    fast = plain_value(text)
    assert fast is None or fast == _dotenv_reads(text)


def test_api_key_helper_reader_agrees_with_python_dotenv_on_random_lines():
    disagreements = [text for text in _fuzz_corpus() if plain_value(text) not in (None, _dotenv_reads(text))]
    assert not disagreements


def test_separators_dotenv_ignores_do_not_hide_a_second_key(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("LITELLM_API_KEY=sk-good-0123456789\nFOO=bar\fLITELLM_API_KEY=sk-other-0123456789\n")
    assert stored_key(env_file).reveal() == "sk-good-0123456789"


def test_comment_lines_with_an_apostrophe_stay_on_the_fast_path():
    assert plain_value("# Don't commit this file\nexport A='b c'\nLITELLM_API_KEY=sk-x1\n") == "sk-x1"


@pytest.mark.parametrize("text", [*HELPER_CORPUS, *_fuzz_corpus(150)])
@pytest.mark.parametrize("updates", [{KEY: "sk-new"}, {KEY: None, URL: "http://localhost:8080"}])
def test_line_scanner_rewrites_exactly_as_the_dotenv_parser_would(text, updates):
    from litellm_key.envfile._rewrite import _render_with_dotenv, _scan_update

    data = text.encode("utf-8", "surrogateescape")
    scanned = _scan_update(data, updates)
    assert scanned is None or scanned.decode("utf-8", "surrogateescape") == _render_with_dotenv(text, updates)


def test_a_big_env_is_rewritten_without_python_dotenv(tmp_path):
    import subprocess
    import sys

    env_file = tmp_path / ".env"
    env_file.write_bytes(b"# Don't commit\n" + b"".join(b"VAR_%d='value %d' # note\n" % (i, i) for i in range(20000)))
    probe = (
        "import sys; from pathlib import Path; from litellm_key.envfile import update_env\n"
        f"update_env(Path({str(env_file)!r}), {{'LITELLM_API_KEY': 'sk-new'}})\n"
        "print('dotenv' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
    assert env_file.read_bytes().endswith(b"VAR_19999='value 19999' # note\nLITELLM_API_KEY=sk-new\n")


def test_a_stored_key_survives_undecodable_bytes_and_an_odd_quote_elsewhere(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_bytes(b"LATIN=caf\xe9\nODD=\"unterminated\nLITELLM_API_KEY=sk-fine-0123456789\n")
    assert stored_key(env_file).reveal() == "sk-fine-0123456789"
    env_file.write_bytes(b"LATIN=caf\xe9\nLITELLM_API_KEY=sk-fine-0123456789\nODD=\"unterminated\n")
    assert stored_key(env_file).reveal() == "sk-fine-0123456789"


def test_api_key_helper_reader_answers_the_files_setup_writes():
    assert plain_value("# mine\nA='b c'\nLITELLM_API_KEY=sk-x1\nLITELLM_BASE_URL=http://localhost:8080\n") == "sk-x1"


@pytest.mark.parametrize("text", HELPER_CORPUS)
def test_stored_key_is_what_python_dotenv_reads(tmp_path, text):
    from dotenv import dotenv_values

    env_file = tmp_path / ".env"
    env_file.write_bytes(text.encode())
    expected = _dotenv_reads(text)
    try:
        key = stored_key(env_file)
    except KeyRejected:  # a value dotenv reads but that is no key (spaces, quotes): refused, not bent
        assert expected and ClientKey.problem(expected.strip())
        return
    assert (key.reveal() if key else None) == (expected or None)


@pytest.mark.parametrize(
    "raw, stored",
    [
        ("2026-12-31T00:00:00Z", "2026-12-31T00:00:00Z"),
        ("2026-11-24T10:00:00.123456+00:00", "2026-11-24T10:00:00Z"),
        ("2026-11-24T12:30:00+02:00", "2026-11-24T10:30:00Z"),
        ("2026-11-24T10:00:00", "2026-11-24T10:00:00Z"),
        (None, None),
        ("not a date", None),
    ],
)
def test_expiry_is_stored_in_one_fixed_width_utc_form(raw, stored):
    assert normalized_expiry(raw) == stored
