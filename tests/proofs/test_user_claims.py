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
    ("[[claim]]\nid = 'a'\nsource = ' '\nstatement = 'T >= 1'\n", "field source must be a non-empty"),
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
    rows = {line.split()[0] for line in listed.splitlines() if line and not line[0].isspace()}
    for name in names.table():          # each name starts a row of the table
        assert name in rows


SEARCHED = '''
[[claim]]
id = "my.ogd-zinkevich"
source = "Zinkevich 2003, Thm 1"
statement = "R <= D**2*sqrt(T)/(2*eta) + (sqrt(T) - 1/2)*eta*G**2"
optimizer = "sgd"
hyperparameters = { lr = "eta/sqrt(t)" }
ranges = { eta = [0.01, 10] }
horizons = [1, 2, 3, 5, 10]

[[claim]]
id = "my.ogd-nine-tenths"
source = "my notes"
text = "OGD's regret is at most 0.9 of Zinkevich's bound"
statement = "R <= 0.9*(D**2*sqrt(T)/(2*eta) + (sqrt(T) - 1/2)*eta*G**2)"
optimizer = "sgd"
hyperparameters = { lr = "eta/sqrt(t)" }
ranges = { eta = [0.01, 10] }
horizons = [1, 2, 3, 5, 10]
starts = "STARTS"
'''


def _ogd_regret_exact(gs, x1, eta):
    """R(T) of projected OGD (eta_t = eta/sqrt(t)) on [-1,1]^d, at 50 digits (independent)."""
    with mp.workdps(50):
        q = lambda f: mp.mpf(f.numerator) / f.denominator    # noqa: E731
        x = [q(v) for v in x1]
        loss = mp.mpf(0)
        for t, row in enumerate(gs, 1):
            loss += mp.fsum(q(g) * xi for g, xi in zip(row, x))
            x = [min(mp.mpf(1), max(mp.mpf(-1), xi - q(eta) / mp.sqrt(t) * q(g)))
                 for g, xi in zip(row, x)]
        return loss + mp.fsum(abs(q(sum(col))) for col in zip(*gs))


@pytest.mark.slow
def test_searched_claims_true_verified_false_refuted_only_from_a_corner(tmp_path):
    corners = user_claims.load(_write(tmp_path, SEARCHED.replace("STARTS", "corners")))
    true, false = corners
    v = ledger.decide(true)
    assert v.verdict == "verified"
    assert mp.mpf(v.evidence["search"]["best_ratio_50_digits"]) <= 1
    assert "every corner" in v.evidence["inputs_covered"]
    v = ledger.decide(false)
    assert v.verdict == "refuted"
    w = v.evidence["witness"]
    x1 = [Fraction(x) for x in w["x1"]]
    assert all(abs(x) == 1 for x in x1)                       # a corner start
    gs = [[Fraction(g) for g in row] for row in w["gradients"]]
    eta = Fraction(w["values"]["eta"])
    R = _ogd_regret_exact(gs, x1, eta)
    T, d = len(gs), len(gs[0])
    with mp.workdps(50):
        G2 = max(sum(g * g for g in row) for row in gs)
        e = mp.mpf(eta.numerator) / eta.denominator
        zink = 4 * d * mp.sqrt(T) / (2 * e) + (mp.sqrt(T) - mp.mpf(1) / 2) * e * (
            mp.mpf(G2.numerator) / G2.denominator)
        assert zink >= R > mp.mpf(9) / 10 * zink
    # the same search started only at x_1 = 0 finds no violation
    zero = user_claims.load(_write(tmp_path, SEARCHED.replace("STARTS", "zero"), "zero.toml"))
    v0 = ledger.decide(zero[1])
    assert v0.verdict == "verified", v0.summary
    assert v0.evidence["search"]["starts"] == "x_1 = 0 only"


@pytest.mark.parametrize("field, needle", [
    ('optimizer = "adamm"', "field 'optimizer' must be a registered optimizer"),
    ('hyperparameters = { lrr = "eta/sqrt(t)" }', "sgd has no 'lrr'"),
    ('ranges = { eta = [10, 1] }', "eta must be [low, high]"),
    ('ranges = { G = [0, 1] }', "'G' is not a hyperparameter name"),
    ('ranges = {}', "must give a [low, high] for eta"),
    ('games = "quadratic"', "field 'games' must be 'linear-box'"),
    ('horizons = [0]', "field 'horizons' must be a list of ints"),
])
def test_bad_search_claims_name_the_field(tmp_path, field, needle):
    base = {"optimizer": 'optimizer = "sgd"', "hyperparameters": 'hyperparameters = { lr = '
            '"eta/sqrt(t)" }', "ranges": "ranges = { eta = [0.01, 10] }"}
    key = field.split(" ")[0]
    base[key] = field
    text = ('[[claim]]\nid = "x"\nsource = "s"\nstatement = "R <= G*sqrt(T)/eta"\n'
            + "\n".join(base.values()) + "\n")
    with pytest.raises(user_claims.ClaimFileError, match="claim 'x'") as err:
        user_claims.load(_write(tmp_path, text))
    assert needle in str(err.value)


@pytest.mark.slow
def test_readme_claims_and_optimizer_work_end_to_end(tmp_path, capsys):
    """The README's my_yogi.py and my_claims.toml, run as a user would (--plugin file)."""
    from pathlib import Path

    from adamlab.numerics import optimizers
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    opt_block = readme.split("## Your own optimizer", 1)[1].split("```python", 1)[1]
    claims_sec = readme.split("## Your own claims", 1)[1]
    (tmp_path / "my_yogi.py").write_text(opt_block.split("```", 1)[0], encoding="utf-8")
    toml = _write(tmp_path, claims_sec.split("```toml", 1)[1].split("```", 1)[0],
                  "my_claims.toml")
    out = tmp_path / "my_verdicts.json"
    assert "my-yogi" not in optimizers.names()
    try:
        rc = main(["check", "--plugin", str(tmp_path / "my_yogi.py"), "--claims", str(toml),
                   "--json", str(out)])
        assert rc == 0, capsys.readouterr().err
    finally:
        if "my-yogi" in optimizers.names():
            optimizers.unregister("my-yogi")
    rows = {r["id"]: r for r in json.loads(out.read_text())["claims"]}
    assert {i: r["verdict"] for i, r in rows.items()} == {
        "my.ogd-zinkevich": "verified", "my.ogd-nine-tenths": "refuted",
        "my.yogi-trivial": "verified", "my.am-gm": "proved",
        "my.amsgrad-thm1-game": "verified"}
    asym = rows["my.amsgrad-thm1-game"]["evidence"]["runs"][0]
    assert asym["optimizer"] == "amsgrad" and asym["T"] == 100000
    w = rows["my.ogd-nine-tenths"]["evidence"]["witness"]
    assert all(abs(Fraction(x)) == 1 for x in w["x1"])            # refuted from a corner
    yogi = rows["my.yogi-trivial"]["evidence"]["search"]
    assert yogi["optimizer"] == "my-yogi" and yogi["games"] > 1000
    assert mp.mpf(yogi["best_ratio_50_digits"]) <= 1
    # and the README's Python snippet
    snippet = claims_sec.split("```python", 1)[1].split("```", 1)[0]
    scope: dict = {}
    exec(compile(snippet, "README.md", "exec"), scope)
    assert ledger.decide(scope["claim"]).verdict in ("proved", "verified")


def test_a_float_only_optimizer_cannot_be_searched(tmp_path):
    from adamlab.numerics import optimizers
    text = ('[[claim]]\nid = "x"\nsource = "s"\nstatement = "R <= 2*d*G_inf*T"\n'
            'optimizer = "adadelta"\n')
    if "mpmath" in optimizers.get("adadelta").cls.arithmetics:     # pragma: no cover
        pytest.skip("adadelta runs in mpmath now")
    with pytest.raises(user_claims.ClaimFileError, match="runs in float64 only"):
        user_claims.load(_write(tmp_path, text))
