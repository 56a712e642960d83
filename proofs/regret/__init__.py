"""Regret experiments: series run by the simulator, the published bounds judged
on them (:mod:`.assess`, reading the claims), the experiment (:mod:`.experiment`) and
its files (:mod:`.files`).
"""
