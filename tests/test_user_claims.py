"""A user's claims from TOML: parsed safely, decided by the same methods, clear errors."""
from __future__ import annotations

import json
from fractions import Fraction

import mpmath as mp
import pytest
import sympy as sp

from adamlab.cli import main
from adamlab.proofs import ledger, names, user_claims
from adamlab.proofs.statement import StatementError, parse

TRUE_AND_FALSE = '''
[[claim]]
id = "my.am-gm"
source = "scratch, eq. (1)"
statement = "x**2 + 1 >= 2*x"
symbols = { x = "real" }

[[claim]]
id = "my.sqrt-vs-log"
source = "scratch, eq. (2)"
text = "sqrt(T) never exceeds 2 log T + 1"
statement = "sqrt(T) <= 2*log(T) + 1"
'''


def _write(tmp_path, text, name="claims.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_statement_parser_is_exact_and_refuses_code():
    tab = names.table()
    rel = parse("R <= D**2*sqrt(T)/(2*eta) + 0.5*G", tab)
    assert isinstance(rel, sp.Le)
    assert rel.rhs - (tab["D"]**2 * sp.sqrt(tab["T"]) / (2 * tab["eta"])
                      + sp.Rational(1, 2) * tab["G"]) == 0      # 0.5 read as exactly 1/2
    for bad in ("__import__('os').system('true') <= 1", "R <= [1][0]", "R.__class__ <= 1",
                "R <= sqrt(T, key=1)", "a < b < c", "R + 1"):
        with pytest.raises(StatementError):
            parse(bad, dict(tab, a=sp.Symbol("a"), b=sp.Symbol("b"), c=sp.Symbol("c")))
    with pytest.raises(StatementError, match="unknown name 'etaa'.*did you mean eta"):
        parse("R <= etaa", tab)


def test_true_claim_is_proved_and_false_one_refuted_with_a_certified_witness(tmp_path):
    mine = user_claims.load(_write(tmp_path, TRUE_AND_FALSE))
    assert [c.id for c in mine] == ["my.am-gm", "my.sqrt-vs-log"]
    proved = ledger.decide(mine[0])
    assert proved.verdict == "proved"
    refuted = ledger.decide(mine[1])
    assert refuted.verdict == "refuted"
    # independent re-check of the witness: T as an exact integer, 50 digits
    T = Fraction(refuted.evidence["witness"]["point"]["T"])
    assert T.denominator == 1
    with mp.workdps(50):
        assert mp.sqrt(T.numerator) > 2 * mp.log(T.numerator) + 1
    row = ledger.entry(mine[1])
    assert row["statement_text"] == "sqrt(T) never exceeds 2 log T + 1"
    assert row["statement"] == r"\sqrt{T} \leq 2 \log{\left(T \right)} + 1"   # generated


def test_cli_decides_a_claims_file_with_the_same_table_and_json(tmp_path, capsys):
    path = _write(tmp_path, TRUE_AND_FALSE)
    out_json = tmp_path / "mine.json"
    assert main(["check", "--claims", str(path), "--json", str(out_json)]) == 0
    printed = capsys.readouterr().out
    assert "my.am-gm" in printed and "proved" in printed and "refuted" in printed
    rows = json.loads(out_json.read_text())["claims"]
    assert [r["id"] for r in rows] == ["my.am-gm", "my.sqrt-vs-log"]
    assert {"statement", "statement_text", "evidence", "method", "quantifies"} <= set(rows[0])
    assert main(["check", "--claims", str(path), "my.am-gm"]) == 0
    assert main(["check", "--claims", str(path), "kb.thm4.1"]) == 2


@pytest.mark.parametrize("text, needle", [
    ("[[claim]]\nid = 'a'\nsource = 's'\n", "claim 'a': field 'statement' is required"),
    ("[[claim]]\nid = 'a'\nsource = 's'\nstatement = 'R <= foo'\n", "unknown name 'foo'"),
    ("[[claim]]\nid = 'a'\nsource = 's'\nstatement = 'R + 1'\n", "must compare two sides"),
    ("[[claim]]\nid = 'Bad Id'\nsource = 's'\nstatement = 'T >= 1'\n", "field 'id' must be lower-case"),
    ("[[claim]]\nid = 'a'\nsource = 's'\nstatement = 'T >= 1'\ncolour = 1\n",
     "unknown field(s) ['colour']"),
    ("[[claim]]\nid = 'a'\nsource = 's'\nstatement = 'T >= 1'\nmethod = 'magic'\n",
     "field 'method' must be one of"),
    ("[[claim]]\nid = 'a'\nsource = 3\nstatement = 'T >= 1'\n", "field 'source' must be a str"),
    ("[[claim]]\nid = 'a'\nsource = 's'\nstatement = 'T >= 1'\n[[claim]]\nid = 'a'\n"
     "source = 's'\nstatement = 'T >= 2'\n", "'a' is used twice"),
    ("id = 'a'\n", "expected one or more [[claim]] tables"),
    ("[[claim]\n", "not valid TOML"),
])
def test_bad_claim_files_name_the_claim_and_the_field(tmp_path, capsys, text, needle):
    path = _write(tmp_path, text)
    with pytest.raises(user_claims.ClaimFileError) as err:
        user_claims.load(path)
    assert needle in str(err.value)
    assert main(["check", "--claims", str(path)]) == 2
    captured = capsys.readouterr()
    assert needle in captured.err and "Traceback" not in captured.err
    assert captured.err.count("\n") == 1                      # one clear line


def test_missing_file_and_list_names(tmp_path, capsys):
    assert main(["check", "--claims", str(tmp_path / "nope.toml")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["list", "names"]) == 0
    listed = capsys.readouterr().out
    for name in names.table():
        assert f"  {name} " in listed
