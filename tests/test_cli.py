"""The command line: in-process and as a subprocess."""
from __future__ import annotations

import io
import json
import subprocess
import sys

from adamlab import cli
from adamlab.numerics import optimizers
from adamlab.proofs import claims


def _main(*argv):
    out = io.StringIO()
    code = cli.main(list(argv), out=out)
    return code, out.getvalue()


def test_check_lists_every_claim_and_optimizer():
    code, text = _main("check")
    assert code == 0
    for c in claims.CLAIMS:
        assert c.id in text
    for name in optimizers.names():
        assert name in text


def test_check_json_round_trips(tmp_path):
    path = tmp_path / "ledger.json"
    code, _ = _main("check", "kb.thm4.1", "rkk.thm1", "--json", str(path))
    assert code == 0
    data = json.loads(path.read_text())
    assert [c["id"] for c in data["claims"]] == ["kb.thm4.1", "rkk.thm1"]
    for c in data["claims"]:
        assert {"id", "source", "verdict", "statement", "evidence", "corrected"} <= set(c)


def test_unknown_claim_is_a_usage_error_with_suggestions(capsys):
    code, _ = _main("check", "kb.thm41")
    assert code == 2
    assert "kb.thm4.1" in capsys.readouterr().err


def test_bad_command_exits_2_without_traceback(capsys):
    assert _main("frobnicate")[0] == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "invalid choice" in err


def test_list_names_every_optimizer():
    code, text = _main("list", "optimizers")
    assert code == 0
    assert [line.split()[0] for line in text.splitlines()[1:]] == optimizers.names()


def test_console_script_subprocess(tmp_path):
    res = subprocess.run([sys.executable, "-m", "adamlab", "check"], capture_output=True,
                         text=True, cwd=tmp_path, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "kb.sec2.1.step-bound-a" in res.stdout
