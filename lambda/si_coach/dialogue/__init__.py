"""The dialogue: the session's state and the questions left open, one request's turn, the
conversation around the routine, repair, the reminder and privacy dialogues, and what a
screen shows for an answer."""
