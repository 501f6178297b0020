"""The routine itself, pure: the catalogue, the pacing engine and its outcomes, question facts,
the progress record. No I/O, no clock, no words."""
