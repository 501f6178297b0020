"""The voice: speech plans and their timing, the words of each language (wording/), and
the Voice that turns outcomes into speech."""
