"""The limits the pacing engine plans within: how long one response may run, and which holds
are counted aloud. The voice renders within the same limits (voice/speech.py imports them);
they belong to the engine because it decides how much fits one response.
"""

# Alexa has no documented cap on speech length; paced responses are planned to this.
MAX_PLANNED_SECONDS = 90.0
# Holds up to this length are counted aloud, one number a second.
MAX_COUNTED_HOLD_SECONDS = 10
