"""Step-checked proofs: a proof as a sequence of checked steps (:mod:`.proof`),
the proofs of Kingma & Ba's Theorem 4.1 (:mod:`.kb`) and Reddi et al.'s Theorem 4
(:mod:`.rkk`, :mod:`.rkk_checks`), local checks (:mod:`.local`) and the renderer
behind ``adamlab prove`` (:mod:`.render`).
"""
