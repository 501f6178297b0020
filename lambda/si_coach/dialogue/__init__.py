"""The dialogue: one request's turn, the conversation around the routine, repair, the
reminder and privacy dialogues, and what a screen shows for an answer."""
