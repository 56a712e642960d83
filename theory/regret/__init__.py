"""The regret bounds as mathematics: the named quantities (:mod:`.quantities`),
the published bounds (:mod:`.bounds`), their hypotheses (:mod:`.hypotheses`), the
lemmas and pieces of the proofs (:mod:`.lemmas`, :mod:`.pieces`) and the
asymptotics (:mod:`.asymptotics`).
"""
