"""Features computed from the LM's token scores (surprisal, rank, entropy, thesaurus probes). Each takes
``(text, TokenScores)``; they register themselves like the text features (:mod:`detector.features`)."""
