"""A statistical intent classifier trained on an interaction model's samples, as Alexa's NLU is.

Alexa does not match sample utterances word for word: it trains a model on them and
generalises to phrasings the samples never spell out. This module does the same offline, so
the console and the development set hear a line the way a device would:

- Slot values are found first, from the model's values and synonyms (and spoken times for
  AMAZON.TIME): each span a slot type knows becomes that type's token, in the samples (where
  ``{exercise}`` stands) and in the line alike, so "how do i do the glute bridge" is read as
  "how do i do the <EXERCISE>" and the exercise is carried over as the slot.
- Each line is described by word unigrams and bigrams (with the line's start and end) and by
  character n-grams of each word with its accents folded ("lastimé" and "lastime", "müde"
  and "mude", "fuß" and "fuss" share them, as a typed or misheard line may spell them),
  weighted tf-idf; a multinomial logistic regression
  (scikit-learn) learns one weight per feature and intent.
- Below a confidence floor the line is out of the skill's domain: AMAZON.FallbackIntent, as
  a device sends for "what's the weather".

Training takes seconds; the console must start within one, so the learned weights are cached
under ``.cache/nlu/`` by the hash of what they were trained on (the model's samples and slot
values, the out-of-domain lines and built-in phrases, and this module's settings). Reading them
back needs numpy only, not scikit-learn.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = REPO_ROOT / ".cache" / "nlu"

# Below this probability for its best intent a line goes to AMAZON.FallbackIntent. Chosen on
# the tuning part of the development set and its out-of-domain lines, never on the held part.
CONFIDENCE_FLOOR = 0.4
# Character n-grams of each word (with its edges marked): spelling variants and word forms
# ("stretches", "stretching") share most of them.
CHARACTER_NGRAMS = (2, 3, 4)
# Inverse regularisation strength of the logistic regression.
REGULARISATION_C = 10.0
# Bumped when the features or the training change, so an old cache is not read.
SETTINGS = f"v4 floor={CONFIDENCE_FLOOR} chars={CHARACTER_NGRAMS} C={REGULARISATION_C}"

START, END = "<s>", "</s>"
# The label of speech that is not the skill's: what Alexa sends for it.
OUT_OF_DOMAIN = "AMAZON.FallbackIntent"


def slot_token(slot_type: str) -> str:
    """The token a slot of this type becomes: one word no speaker says."""
    return f"<{slot_type}>"


_FOLDED = str.maketrans("áàâäéèêëíìîïóòôöúùûüñç", "aaaaeeeeiiiioooouuuunc") | {ord("ß"): "ss"}


def folded(word: str) -> str:
    """The word without its accents, umlauts and ß: "rodilla" and "rodílla", "übung" and
    "ubung" read alike."""
    return word.translate(_FOLDED)


def line_features(tokens: Sequence[str]) -> Counter[str]:
    """The features of one tagged line: word uni- and bigrams, and words' character n-grams."""
    features: Counter[str] = Counter()
    framed = (START, *tokens, END)
    for token in tokens:
        features["w " + token] += 1
    for first, second in pairwise(framed):
        features[f"b {first} {second}"] += 1
    for token in tokens:
        if token.startswith("<"):
            continue
        edged = f"^{token}$"
        grams = {
            spelled[start : start + size]
            for spelled in {edged, folded(edged)}
            for size in CHARACTER_NGRAMS
            for start in range(max(len(spelled) - size + 1, 1))
        }
        for gram in grams:
            features["c " + gram] += 1
    return features


@dataclass(frozen=True)
class IntentGuess:
    intent_name: str
    confidence: float


class IntentClassifier:
    """Learned weights: a score per intent for each feature, read with numpy alone."""

    def __init__(
        self,
        *,
        intents: Sequence[str],
        vocabulary: Mapping[str, int],
        idf: np.ndarray,
        weights: np.ndarray,
        intercepts: np.ndarray,
        in_domain: np.ndarray,
    ) -> None:
        self.intents = tuple(intents)
        # Each feature's column: "w word", "b word word" (a pair) or "c abc" (characters).
        self.vocabulary = dict(vocabulary)
        self.idf = idf
        self.weights = weights
        self.intercepts = intercepts
        # Which features the samples use, as against only the out-of-domain lines.
        self.in_domain = in_domain

    def vector(self, features: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
        """The known features' columns and their tf-idf values, normalised to length one."""
        columns = [self.vocabulary[name] for name in features if name in self.vocabulary]
        if not columns:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        counts = np.array(
            [features[name] for name in features if name in self.vocabulary], dtype=float
        )
        index = np.array(columns, dtype=np.int64)
        values = (1.0 + np.log(counts)) * self.idf[index]
        return index, values / np.linalg.norm(values)

    def probabilities(self, tokens: Sequence[str]) -> np.ndarray:
        """Each intent's probability for the tagged line, in the order of ``intents``."""
        index, values = self.vector(line_features(tokens))
        scores = self.intercepts + values @ self.weights[index]
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()

    def guess(self, tokens: Sequence[str]) -> IntentGuess:
        probabilities = self.probabilities(tokens)
        best = int(probabilities.argmax())
        return IntentGuess(self.intents[best], float(probabilities[best]))

    # -- training and the cache ----------------------------------------------------------

    @classmethod
    def train(cls, examples: Sequence[tuple[Sequence[str], str]]) -> IntentClassifier:
        """Learns from (tagged tokens, intent) pairs; OUT_OF_DOMAIN marks speech that is not
        the skill's. Needs scikit-learn."""
        from scipy.sparse import csr_matrix  # noqa: PLC0415 - only training needs them
        from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

        intents = sorted({intent for _, intent in examples})
        featured = [line_features(tokens) for tokens, _ in examples]
        vocabulary: dict[str, int] = {}
        document_frequency: Counter[str] = Counter()
        for features in featured:
            document_frequency.update(features.keys())
            for name in features:
                vocabulary.setdefault(name, len(vocabulary))
        count = len(featured)
        in_domain = np.zeros(len(vocabulary), dtype=bool)
        for features, (_, intent) in zip(featured, examples, strict=True):
            if intent != OUT_OF_DOMAIN:
                in_domain[[vocabulary[name] for name in features]] = True
        idf = np.ones(len(vocabulary))
        for name, column in vocabulary.items():
            idf[column] = math.log((1 + count) / (1 + document_frequency[name])) + 1
        untrained = np.zeros((len(vocabulary), 1))
        classifier = cls(
            intents=intents,
            vocabulary=vocabulary,
            idf=idf,
            weights=untrained,
            intercepts=np.zeros(1),
            in_domain=in_domain,
        )
        rows, columns, values = [], [], []
        for row, features in enumerate(featured):
            index, weights = classifier.vector(features)
            rows.extend([row] * len(index))
            columns.extend(index.tolist())
            values.extend(weights.tolist())
        matrix = csr_matrix((values, (rows, columns)), shape=(count, len(vocabulary)))
        labels = [intents.index(intent) for _, intent in examples]
        if len(intents) == 1:
            return classifier  # one intent: every line is it (or, below the floor, none)
        model = LogisticRegression(C=REGULARISATION_C, max_iter=2000)
        model.fit(matrix, labels)
        coefficients, intercepts = model.coef_, model.intercept_
        if len(intents) == 2:  # scikit-learn keeps one row for two classes
            coefficients = np.vstack([-coefficients[0] / 2, coefficients[0] / 2])
            intercepts = np.array([-intercepts[0] / 2, intercepts[0] / 2])
        return cls(
            intents=intents,
            vocabulary=vocabulary,
            idf=idf,
            weights=np.ascontiguousarray(coefficients.T, dtype=np.float32),
            intercepts=intercepts.astype(np.float64),
            in_domain=in_domain,
        )

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        names = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".npz")
        with os.fdopen(handle, "wb") as file:
            np.savez(
                file,
                intents=np.array(json.dumps(self.intents)),
                vocabulary=np.array("\n".join(names)),
                idf=self.idf,
                weights=self.weights,
                intercepts=self.intercepts,
                in_domain=self.in_domain,
            )
        # Several consoles or test workers may train at once: the last one wins, whole.
        os.replace(temporary, path)

    @classmethod
    def load(cls, path: Path) -> IntentClassifier:
        with np.load(path) as stored:
            names = str(stored["vocabulary"]).split("\n")
            return cls(
                intents=json.loads(str(stored["intents"])),
                vocabulary={name: column for column, name in enumerate(names)},
                idf=stored["idf"],
                weights=stored["weights"],
                intercepts=stored["intercepts"],
                in_domain=stored["in_domain"],
            )


def cached_classifier(
    key: str,
    examples: Callable[[], Sequence[tuple[Sequence[str], str]]],
    cache_dir: Path = CACHE_DIR,
) -> IntentClassifier:
    """The classifier trained on ``examples()``, read from the cache under ``key`` (a hash of
    everything the examples come from), or trained and cached there."""
    digest = hashlib.sha256(f"{SETTINGS}\n{key}".encode()).hexdigest()[:24]
    path = cache_dir / f"{digest}.npz"
    if path.exists():
        try:
            return IntentClassifier.load(path)
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache file is trained again and replaced
    classifier = IntentClassifier.train(examples())
    # A read-only checkout still resolves: it just trains each time.
    with contextlib.suppress(OSError):
        classifier.save(path)
    return classifier
