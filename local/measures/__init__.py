"""What the skill costs DynamoDB, measured one way for the tests and the benchmark.

The tests assert these figures (they are properties of the code, not of the machine) and
`make bench` reports them beside its speed figures, through the same modules: the stored
item's size (record_size), the requests per turn (request_counts), over the scripted
conversations (conversations) and against the SDK samples' pattern (naive_skill).
"""

# Requests to DynamoDB per turn of the whole-routine walk, on average.
TARGET_REQUESTS_PER_TURN = 0.5
# Reads per session: the record is read once and carried in the session.
TARGET_READS_PER_SESSION = 1
# One DynamoDB write unit: the stored item must fit it, for ever.
TARGET_RECORD_BYTES = 1024
