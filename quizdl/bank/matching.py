"""Which key points a typed answer covers: lexical matching after normalising the field's vocabulary.

The answer and each key point go through the same steps: lower case; the field's terms and abbreviations
rewritten to one token each ("learning rate" and "lr" become `lr`, "blows up" becomes `explode`); British
spellings folded; numbers in their usual spellings read as values (0.25, 1/4, 25% and "a quarter" are one
token); stop words dropped; the rest stemmed with the Snowball English stemmer, and a few groups of same-meaning
words merged. A point is ticked when the answer covers enough of what is left of it (`_covered`), or of one of
its alternative phrasings (`also:` in the bank).

Pure and offline. The tables are compiled and the stemmer built on first use, so importing this module is cheap.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

# The field's terms, abbreviations and idioms, each rewritten to a canonical token. Variants are literal phrases
# separated by "|", compared word by word after stemming (so "blows up" and "blow up" are one variant, and
# "batch-norm" is "batch norm"); the longest variant starting at a word wins. "=word" matches that exact word, not
# its stem. A canonical "#x" is the number x.
_PHRASES: tuple[tuple[str, str], ...] = (
    ("sgd", "stochastic gradient descent|stochastic gd|sgd"),
    ("gd", "gradient descent|gd"),
    ("lr", "learning rate|step size|lr"),
    ("weightdecay", "weight decay|wd"),
    ("batchnorm", "batch normalization|batch norm|batchnorm|bn|syncbn|sync bn"),
    ("layernorm", "layer normalization|layer norm|layernorm|ln"),
    ("groupnorm", "group normalization|group norm|groupnorm"),
    ("instancenorm", "instance normalization|instance norm|instancenorm"),
    ("finetune", "fine tune|finetune"),
    ("tradeoff", "trade off|tradeoff"),
    ("logreg", "logistic regression"),
    ("prelu", "parametric relu|prelu"),
    ("relu", "rectified linear unit|rectified linear|relu"),
    ("sigmoid", "logistic function|logistic unit|logistic curve|logistic sigmoid|logistic|sigmoid"),
    ("crossentropy", "cross entropy|crossentropy|log loss|ce|xent"),
    ("mle", "negative log likelihood|nll|maximum likelihood estimation|maximum likelihood|mle"),
    ("mse", "mean squared error|mean square error|squared error|l2 loss|mse"),
    ("mae", "mean absolute error|absolute error|l1 loss|mae"),
    ("l1", "lasso|l1"),
    ("l2", "ridge|l2"),
    ("kl", "kullback leibler|relative entropy|kl"),
    ("std", "standard deviation|std dev|stdev|std"),
    ("ema", "exponential moving average|exponentially weighted moving average|exponentially weighted average|"
            "exponentially decaying average|running average|moving average|decaying average|running mean|"
            "moving mean|running statistics|running stats|ema"),
    ("fc", "fully connected layer|fully connected|dense layer|linear layer|fc"),
    ("1x1", "one by one|1 by 1|1x1|pointwise"),
    ("sqrt", "square root|sqrt"),
    ("xavier", "glorot|xavier"),
    ("kaiming", "kaiming|he"),
    ("fp16", "half precision|float16|16 bit float|16 bit|fp16"),
    ("fp32", "single precision|full precision|float32|32 bit float|fp32"),
    ("bf16", "bfloat16|brain float|bf16"),
    ("int8", "8 bit integer|int8|8 bit"),
    ("int4", "4 bit integer|int4|4 bit"),
    ("matmul", "matrix multiply|matrix multiplication|matrix product|matmul|gemm"),
    ("backprop", "back propagation|backpropagation|backprop|backward pass|backward"),
    ("forwardpass", "forward pass|forward"),
    ("recall", "true positive rate|hit rate|sensitivity|tpr|recall"),
    ("fpr", "false positive rate|false alarm rate|fall out|fpr"),
    ("falsepositive", "false positive|false alarm|fp"),
    ("falsenegative", "false negative|fn"),
    ("truepositive", "true positive|tp"),
    ("hyperparameter", "hyper parameter|hyperparameter|hyperparam|hparam"),
    ("onehot", "one hot|onehot"),
    ("qkv", "queries keys and values|query key and value|queries keys values|q k and v|q k v|qkv"),
    ("kv", "keys and values|key and value|k and v|k v|kv"),
    ("qvalue", "q value|q function|q table|action value|qvalue"),
    ("replay", "replay buffer|experience replay|replay memory"),
    ("ptq", "post training quantization|ptq"),
    ("qat", "quantization aware training|qat"),
    ("cnn", "convolutional neural network|convolutional neural net|convnet|cnn"),
    ("rnn", "recurrent neural network|recurrent neural net|recurrent network|recurrent net|rnn"),
    ("mlp", "multi layer perceptron|multilayer perceptron|mlp"),
    ("ffn", "feed forward network|feed forward layer|feedforward network|feed forward|feedforward|ffn"),
    ("gqa", "grouped query attention|gqa"),
    ("mqa", "multi query attention|mqa"),
    ("annsearch", "approximate nearest neighbor search|approximate nearest neighbour search|"
                  "approximate nearest neighbor|approximate nearest neighbour|ann|faiss|hnsw"),
    ("skip", "skip connection|skip path|shortcut connection|shortcut|residual connection|=skip|=skips"),
    ("receptivefield", "receptive field"),
    ("nonlinear", "non linear|nonlinear|non linearity|nonlinearity"),
    ("nonzero", "non zero|nonzero"),
    ("noparam", "no parameter|no learnable parameter|no trainable parameter|no weight|no learnable weight|"
                "parameter free|nothing to learn"),
    ("unchanged", "does not change|do not change|is not changed|are not changed|will not change|not changed|"
                  "unchanged|unaffected"),
    ("monitor", "keep an eye on|keep track of|track|watch|monitor"),
    ("suspicious", "too good to be true|suspicious|suspiciously"),
    ("sequential", "one after the other|one after another|sequential|sequentially"),
    ("alternate", "take turns|=alternate|=alternates|=alternating|=alternately"),  # not "alternative"
    ("epoch", "full pass over the data|pass over the data|pass over the dataset|pass over the whole dataset|"
              "pass over the training set|pass over the training data|pass through the data|full pass|"
              "complete pass"),
    ("unstable", "instability|unstable|unstably|not stable|hard to train stably|hard to stabilize"),
    ("noise", "random vector|random noise|random input|random code|latent vector|latent code|noise"),
    ("groundtruth", "ground truth|=gold|=correct"),  # not "correction"
    ("logit", "raw score|raw output|unnormalized score|unnormalized output|unnormalized log probability|logit"),
    ("nograd", "no grad|nograd"),
    ("timestep", "time step|timestep"),
    ("boundary", "decision boundary|hyperplane|separating plane"),
    ("power", "raised to the power of|raised to the power|raised to|to the power of|to the power"),
    ("testset", "test set|test split|test data"),
    ("trainset", "train set|training set|train split|training split|train data|training data|train portion"),
    ("inference", "test time|at test|prediction time|inference time|generation time|decoding time|inference"),
    ("explode", "blow up|blew up|blown up|explode|explosion"),
    ("vanish", "vanish|shrink to zero|shrink toward zero|shrink towards zero|go to zero|goes to zero|die off|fade"),
    ("dead", "switched off|switch off|turned off|turn off|zeroed out|zeroes out|=zeroed|=zeroes|stuck at zero|"
             "stuck outputting zero|stuck off|dead|die"),
    ("network", "neural network|neural net|network|net|nn"),
    ("parameter", "param|parameter|=weight|=weights"),  # not "weighted"
    ("accuracy", "accuracy|acc"),
    ("regularization", "regularization|regularizer|regularize|reg"),
    ("validation", "validation|val|dev set|held out set|holdout"),
    ("log", "log"),  # "ln(C)" is read as "log(C)" first; a bare "LN" is LayerNorm (above)
    ("#0.5", "halve|in half"),
    ("#2", "twice"),
    ("#1", "single"),
)  # fmt: skip

# Same-meaning words, merged after stemming; the first word names the group.
_GROUPS: tuple[str, ...] = (
    "big bigger biggest large larger largest huge high higher highest",
    "small smaller smallest tiny little low lowest few fewer",
    "reduce reduces decrease shrink lower lowers lowered lowering",
    "grow increase rise raise",
    "same identical equal unchanged",
    "fast faster fastest quick quicker speed",
    "cheap cheaper inexpensive",
    "slow slower crawl",
    "deep deeper deepest",
    "wide wider widest",
    "previous past earlier preceding",
    "future later subsequent",
    "last final",
    "remove delete discard throw chop",
    "error mistake wrong misclassified",
    "combine mix merge blend",
    "copy replica clone master",
    "stop halt",
    "threshold cutoff",
    "predict guess",
    "choose select pick",
    "estimate approximate",
    "improve better",
    "full whole entire",
    "vocabulary vocab",
    "dimension dim",
    "exponential exponentially geometric geometrically multiplicatively",
    "probability chance",
    "convolution conv convolutional",
    "kernel filter",
    "gradient grad",
    "initialization init initialize",
    "neuron unit",
    "mean average avg",
    "variance var spread",
    "normalize standardize",
    "scale multiplier",
    "shift offset translation",
    "magnitude norm",
    "learn learnable learned trainable",
    "cache store",
    "freeze frozen",
    "attention attn",
    "sequence seq",
    "length len",
    "leak leakage",
    "recompute redo rerun",
    "segment chunk",
    "path route",
    "bootstrap resample",
    "discriminator critic adversary",
    "sharpen sharp peaky peakier peaked",
    "flatten flat flatter uniform",
    "greedy argmax",
    "rank ranking order ordering",
    "dampen damp",
    "oscillate oscillation zigzag bounce",
    "compound snowball accumulate",
    "reward payoff",
    "finite bounded",
    "infinite unbounded",
    "detect detection detector",
    "evaluate evaluation eval",
    "update step iteration",
)

# Words that carry little on their own in this field: they count half (numbers 0, 1 and 2 a quarter).
_WEAK = (
    "gradient layer train model network loss data input output parameter function value set time learn neuron "
    "size number example sample result method problem big small work new good first keep large design approach "
    "technique idea type kind case help allow enable cause lead ensure"
)

# Broader terms an answer implies: an answer saying "dropout" covers a point's "regularization", not vice versa.
_IMPLIES: tuple[tuple[str, str], ...] = (
    ("dropout weightdecay l1 l2 augmentation", "regularization"),
    ("batchnorm layernorm groupnorm instancenorm rmsnorm", "normalize"),
    ("relu gelu tanh sigmoid swish silu leaky", "nonlinear activation"),
    ("sgd adam adamw rmsprop adagrad", "optimizer"),
    ("xavier kaiming orthogon", "initialization"),
    ("fp16 bf16 fp32 int8 int4", "precision"),
)

_STOP_WORDS = """
    a an and are as at be been being by can could do does did doing for from has have had having how in into is it
    its it's of on or than that the their them they then there these this those to too was were what when where
    which while who whom why will would with you your we our us i me my more less most each every also not no nor
    all any some only both very much many just so if because since about around roughly approximately e g eg i e ie
    say like such get gets got use uses used using make makes made way thing things instead rather even still again
    usually typically often basically simply really actually quite here must should may might need needs shall
    up down out off over per via vs versus etc whether own other another itself though thus hence therefore however
    yes ok let lets go goes going give gives giving given through between toward towards during across within
    against among along onto upon without means become becomes
"""
_STOP = frozenset(_STOP_WORDS.split())

_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
    "thousand": 1000, "million": 1e6, "billion": 1e9,
}  # fmt: skip
_FRACTION_WORDS = {
    "half": 0.5, "third": 1 / 3, "thirds": 1 / 3, "quarter": 0.25, "quarters": 0.25, "fifth": 0.2, "fifths": 0.2,
    "tenth": 0.1, "tenths": 0.1,
}  # fmt: skip
_THIRDS = {"17": 1 / 6, "33": 1 / 3, "66": 2 / 3, "67": 2 / 3, "83": 5 / 6}  # "33%" is a third
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9}

_UNICODE = str.maketrans(
    {"²": "^2", "³": "^3", "×": " x ", "·": " ", "≈": " ", "–": "-", "—": " ", "’": "'", "√": " sqrt "}
)
_DIGITS = str.maketrans("0123456789.-+", "abcdefghijpmq")


def _num(value: float) -> str:
    """A number's token: its value spelled without digits, so that later number patterns leave it alone."""
    return f" #{f'{value:.6g}'.translate(_DIGITS)} "


class _Tables:
    """What the matcher compiles once, on first use: patterns, the stemmer, the phrase index, maps and weights."""

    def __init__(self) -> None:
        import snowballstemmer  # ~10 ms to import: deferred to the first match so that starting the quiz stays fast

        words = "|".join(_NUMBER_WORDS)
        self.fraction = re.compile(rf"\b(?:(a|one|{words})[\s-]+)?({'|'.join(_FRACTION_WORDS)})\b")
        self.scaled = re.compile(r"(?<![\w.])(\d*\.?\d+)(?:(k|m|b|bn)\b|[\s-]+(thousand|million|billion)\b)")
        self.number_words = re.compile(rf"\b({words})(?:[\s-]+(hundred|thousand|million|billion))?\b")
        self.scientific = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)e([+-]?\d+)\b")
        self.grouped = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+\b")
        self.percent = re.compile(r"(?<![\w.])(\d*\.?\d+)\s*(?:%|percent\b|per cent\b)")
        self.ratio = re.compile(r"(?<![\w./])(\d+)/(\d+)(?![\w./(])")
        self.times = re.compile(r"(?<![\w.])(\d*\.?\d+)x\b")
        self.plain = re.compile(r"(?<![\w.])(\d*\.\d+|\d+)(?![\w]|\.\d)")
        self.absolute = re.compile(r"\|([^|\s]{1,12})\|")  # |w| is the absolute value of w
        self.negation = re.compile(r"n't\b")
        self.natural_log = re.compile(r"\bln(?=\()")
        self.british = re.compile(r"\b([a-z]{3,}?)(?<!w)is(e|ed|es|ing|ation|ations|er|ers)\b")
        self.british_our = re.compile(r"\b(behavi|col|neighb|fav|flav|lab|hon|harb|rum)our")
        self.british_re = re.compile(r"\b(cent|met|lit|fib)r(e|es|ed|ing)\b")
        self.token = re.compile(r"#[a-z]+|[a-z0-9]+")

        self.stemmer = snowballstemmer.stemmer("english")
        self.stems: dict[str, str] = {}
        self.groups: dict[str, str] = {}
        for group in _GROUPS:
            head, *rest = group.split()
            for word in (head, *rest):
                self.groups[self.stemmer.stemWord(word)] = self.stemmer.stemWord(head)
        self.groups[self.stemmer.stemWord("zero")] = _num(0).strip()
        self.phrases: dict[tuple[str, ...], tuple[str, ...]] = {}  # stems of a phrase -> its canonical tokens
        self.exact: dict[str, tuple[str, ...]] = {}  # "=word" variants: the word as written -> canonical tokens
        self.longest: dict[str, int] = {}  # first stem of a phrase -> its longest phrase, in words
        for canonical, variants in _PHRASES:
            tokens = tuple(_num(float(t[1:])).strip() if t[0] == "#" else self.stem(t) for t in canonical.split())
            for variant in variants.split("|"):
                if variant.startswith("="):
                    self.exact.setdefault(variant[1:], tokens)
                    continue
                key = tuple(map(self.raw_stem, self.words_of(variant)))
                self.phrases.setdefault(key, tokens)
                self.longest[key[0]] = max(self.longest.get(key[0], 0), len(key))
        self.implies = {
            self.stem(word): frozenset(map(self.stem, broader.split()))
            for words, broader in _IMPLIES
            for word in words.split()
        }
        self.weights = {self.stem(word): 0.5 for word in _WEAK.split()}
        self.weights.update({_num(n).strip(): 0.25 for n in (0, 1, 2)})

    def raw_stem(self, word: str) -> str:
        if word[0] == "#" or word in _STOP:  # numbers, and stop words (only ever compared inside phrases)
            return word
        stem = self.stems.get(word)
        if stem is None:
            stem = self.stems[word] = self.stemmer.stemWord(word)
        return stem

    def stem(self, word: str) -> str:
        stem = self.raw_stem(word)
        return self.groups.get(stem, stem)

    def numbers(self, text: str) -> str:
        """Rewrite the usual spellings of a number as its `#value` token."""
        text = self.fraction.sub(
            lambda m: _num(_NUMBER_WORDS.get(m.group(1) or "one", 1) * _FRACTION_WORDS[m.group(2)]), text
        )
        text = self.scaled.sub(lambda m: _num(float(m.group(1)) * _SCALE[m.group(2) or m.group(3)]), text)
        text = self.number_words.sub(
            lambda m: _num(_NUMBER_WORDS[m.group(1)] * _NUMBER_WORDS.get(m.group(2) or "one", 1)), text
        )
        text = self.scientific.sub(lambda m: _num(float(m.group(0))), text)
        text = self.grouped.sub(lambda m: m.group(0).replace(",", ""), text)
        text = self.percent.sub(lambda m: _num(_THIRDS.get(m.group(1)) or float(m.group(1)) / 100), text)
        text = self.ratio.sub(lambda m: _num(int(m.group(1)) / max(1, int(m.group(2)))), text)
        text = self.times.sub(lambda m: _num(float(m.group(1))) + "time ", text)
        return self.plain.sub(lambda m: _num(float(m.group(1))), text)

    def words_of(self, text: str) -> list[str]:
        """Lower-cased words and number tokens, with spellings folded."""
        text = self.absolute.sub(r" absolute \1 ", text.lower().translate(_UNICODE))
        text = self.natural_log.sub("log", self.negation.sub(" not", text))
        text = self.british.sub(r"\1iz\2", text)
        text = self.british_our.sub(r"\1or", text)
        text = self.british_re.sub(lambda m: m.group(1) + "er" + {"e": "", "es": "s"}.get(m.group(2), m.group(2)), text)
        return self.token.findall(self.numbers(text))

    def units(self, text: str, letters: bool = False) -> frozenset[str]:
        """The content tokens of `text`: phrases rewritten, stop words dropped, the rest stemmed and merged.
        Single letters are dropped too, unless `letters` (formulas such as "c_t = f_t * c_{t-1}")."""
        words = self.words_of(text)
        stems = [self.raw_stem(w) for w in words]
        out: set[str] = set()
        i = 0
        while i < len(words):
            for n in range(min(self.longest.get(stems[i], 0), len(words) - i), 1, -1):
                if (tokens := self.phrases.get(tuple(stems[i : i + n]))) is not None:
                    break
            else:
                n = 1
                tokens = self.exact.get(words[i]) or self.phrases.get((stems[i],))
            if tokens is not None:
                out.update(tokens)
                i += n
            else:
                word = words[i]
                if word[0] == "#":
                    out.add(word)
                elif word not in _STOP and (len(word) > 1 or letters or word.isdigit()):
                    out.add(self.groups.get(stems[i], stems[i]))
                i += 1
        return frozenset(out)


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    return _Tables()


@lru_cache(maxsize=4096)
def _units(text: str) -> frozenset[str]:
    """A key point's tokens; a point with no real words (a formula) keeps its single letters."""
    tables = _tables()
    units = tables.units(text)
    if sum(tables.weights.get(u, 1.0) for u in units) < 1.0:
        units = tables.units(text, letters=True)
    return units


@lru_cache(maxsize=256)
def _said(text: str) -> frozenset[str]:
    """An answer's tokens plus the broader terms they imply."""
    tables = _tables()
    units = tables.units(text, letters=True)
    implies = tables.implies
    return units.union(*(implies[u] for u in units if u in implies))


def _covered(wanted: frozenset[str], said: frozenset[str]) -> bool:
    """Whether `said` covers a point's tokens `wanted`: at least half their weight (weak words count less), and
    at least two of them unless the point has only one word that is not weak."""
    if not wanted:
        return False
    weights = _tables().weights
    hits = wanted & said
    strong = sum(1 for t in wanted if t not in weights)
    if len(hits) < min(2, max(1, strong)):
        return False
    weight = sum(weights.get(t, 1.0) for t in hits)
    return weight >= 1.0 and weight * 2 >= sum(weights.get(t, 1.0) for t in wanted)


def matched_points(
    typed: str,
    key_points: Sequence[str],
    alternatives: Sequence[Sequence[str]] | None = None,
) -> list[bool]:
    """For each key point, whether `typed` covers it or one of its alternative phrasings (`alternatives[i]`)."""
    if not typed.strip():
        return [False] * len(key_points)
    said = _said(typed)
    result = []
    for i, point in enumerate(key_points):
        phrasings = [point, *(alternatives[i] if alternatives and i < len(alternatives) else ())]
        result.append(any(_covered(_units(p), said) for p in phrasings))
    return result
