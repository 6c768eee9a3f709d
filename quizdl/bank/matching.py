"""Which key points a typed answer covers and does not contradict: lexical matching after normalising the field's
vocabulary.

The answer and each key point go through the same steps: lower case; accents, Greek letters and comparison
signs spelled out ("T > 1" is "T above 1"); a hyphenated prefix joined to its word ("over-confident" is
"overconfident"); the field's terms and abbreviations rewritten to one token each ("learning rate", "lr" and "LRs"
become `lr`, "blows up" becomes `explode`); British spellings folded; numbers in their usual spellings read as
values (0.25, 1/4, 25% and "a quarter" are one token); stop words dropped; the rest stemmed with the Snowball
English stemmer, and groups of same-meaning words merged. The answer alone then gains the textbook terms its
paraphrases imply (`_IDIOMS`: "the same filter is slid over the image" says `weight sharing`) and the broader terms
its names imply (`_IMPLIES`). A misspelt word (one letter off) still counts.

A point is ticked when the answer covers one of its phrasings, the point or an alternative (`also:` in the bank),
and contradicts none of them. A phrasing is covered (`_covered`) by at least half of its weight, where weak words
count half and a word the card's other points also use counts three quarters (the words a card's points share are
its topic, said whichever point an answer makes); by two of its words unless only one is not weak; by both words of
a two-word phrasing unless the one missing is filler ("VGG design"); and only if each number it states (but 0, 1
and 2) is said too, either end of a range or, for a bound ("100 or more layers"), any larger number.

Most wrong answers that tick a point reuse its words, so the answer is also checked for saying them the wrong way
round. Each check is a rule of language or of the field, and each stays silent unless the answer uses the same
construction as the phrasing:

- roles swapped (`_swapped`): the phrasing's relation ("A from B", "A then B", "A before B", "B after A", a rate
  "20 A per B", "A over B", "A than B") said with its sides exchanged: "predicts the centre word from the context"
  for "predict context words from the center word", "step() first and then backward()" for "backward then step";
- an opposite in a word's place (`_flipped`, `_OPPOSITES`): a clause restating the phrasing, three of its words
  that are not weak, with the opposite of one more word and no clause saying that word ("a big temperature makes
  it confident and peaky" for "low temperature gives a sharper, more confident distribution");
- another formula (`_wrong_formula`): the answer's formula for the name of the phrasing's formula has other named
  operands ("precision = TP/(TP+FN)") or applies other functions ("Swish is x times tanh(softplus(x))");
- the reverse operation (`_wrong_operation`): multiplying by what the phrasing divides by, or the reverse (a
  reciprocal divides);
- a crossed pairing (`_crossed`): the phrasing's "A for B" said with the A or the B of another "A for B" of the
  card ("Xavier for ReLU and He for tanh");
- the polarity turned (`_denied`): what the phrasing denies said plainly about its subject ("Sigmoid is
  zero-centered" for "sigmoid ... is not zero-centered"), or the one word of a short phrasing only ever denied
  ("doesn't need to be differentiable"). A negator's scope is the words right after it, and a clause with any
  denying word is never read as a plain assertion, since negation is often said in other words ("skips the mean");
- a claim said of another name (`_misattributed`): the phrasing's claim, every word of it, in a clause about
  another of the names the card's question asks about and its points start with ("GANs reconstruct their input
  through a bottleneck" for "autoencoder reconstructs its input through a bottleneck").

An answer that contradicts an alternative wording only loses that wording; one that contradicts the point's own
wording does not tick it. A claim the answer makes in other words than the point's is not checked, and most wrong
answers that reuse a card's vocabulary still tick: on answers written blind, about a sixth of the ticks are wrong
(tests/bank/test_matching.py keeps the measurements).

Pure and offline. The tables are compiled and the stemmer built on first use, so importing this module is cheap.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import cached_property, lru_cache

# The field's terms, abbreviations and idioms, each rewritten to canonical tokens, in the answer and in the point.
# Variants are literal phrases separated by "|", compared word by word after stemming (so "blows up" and "blow up"
# are one variant, and "batch-norm" is "batch norm"); the longest variant starting at a word wins. "=word" matches
# that exact word, not its stem. A canonical "#x" is the number x, and "!word" is kept as written (not stemmed).
# A canonical of several tokens keeps an abbreviation's parts ("dag" is `direct acyclic graph`), so that an answer
# giving only some of them still counts for some.
_PHRASES: tuple[tuple[str, str], ...] = (
    ("sgd", "stochastic gradient descent|stochastic gd|sgd"),
    ("gd", "gradient descent|gd"),
    ("lr", "learning rate|step size|lr|eta"),
    ("weightdecay", "weight decay|wd"),
    ("batchnorm", "batch normalization|batch norm|batchnorm|bn|syncbn|sync bn"),
    ("layernorm", "layer normalization|layer norm|layernorm|ln"),
    ("groupnorm", "group normalization|group norm|groupnorm"),
    ("instancenorm", "instance normalization|instance norm|instancenorm"),
    ("rmsnorm", "rms normalization|rms norm|rmsnorm"),
    ("finetune", "fine tune|finetune"),
    ("tradeoff", "trade off|tradeoff"),
    ("logreg", "logistic regression"),
    ("prelu", "parametric relu|prelu"),
    ("relu", "rectified linear unit|rectified linear|relu"),
    ("sigmoid", "logistic function|logistic unit|logistic curve|logistic sigmoid|logistic|sigmoid"),
    ("binary crossentropy", "binary cross entropy|bce"),
    ("crossentropy", "cross entropy|crossentropy|log loss|ce|xent"),
    ("mle", "negative log likelihood|nll|maximum likelihood estimation|maximum likelihood|mle"),
    ("mse", "mean squared error|mean square error|squared error|l2 loss|mse"),
    ("mae", "mean absolute error|absolute error|l1 loss|mae"),
    ("l1", "lasso|l1"),
    ("l2", "ridge|l2"),
    ("kl", "kullback leibler divergence|kullback leibler|kl divergence|relative entropy|kl"),
    ("jensen shannon", "jensen shannon|jsd|js divergence"),
    ("std", "standard deviation|std dev|stdev|std"),
    ("ema", "exponential moving average|exponentially weighted moving average|exponentially weighted average|"
            "exponentially decaying average|running average|moving average|decaying average|running mean|"
            "moving mean|running statistics|running stats|running avg|running avgs|ema"),
    ("fc", "fully connected layer|fully connected|dense layer|linear layer|fc"),
    ("1x1", "one by one|1 by 1|1x1|pointwise"),
    ("sqrt", "square root|sqrt"),
    ("xavier", "glorot|xavier"),
    ("kaiming", "kaiming|he"),
    ("fp64", "double precision|float64|64 bit float|fp64"),
    ("fp16", "half precision|float16|16 bit float|16 bit|fp16"),
    ("fp32", "single precision|full precision|float32|32 bit float|fp32"),
    ("bf16", "bfloat16|brain float|bf16"),
    ("int8", "8 bit integer|int8|8 bit"),
    ("int4", "4 bit integer|int4|4 bit"),
    ("mixedprecision", "mixed precision|automatic mixed precision|amp"),
    ("matmul", "matrix multiply|matrix multiplication|matrix product|matmul|gemm"),
    ("flop", "flops|flop|multiply adds|multiply add|multiply accumulates|multiply accumulate|macs|madds|mult adds"),
    ("backprop", "back propagation|backpropagation|backprop|backward pass|backward|bwd"),
    ("forwardpass", "forward pass|forward|fwd"),
    ("recall", "true positive rate|hit rate|=sensitivity|tpr|recall"),  # not "sensitive"
    ("fpr", "false positive rate|false alarm rate|fall out|fpr"),
    ("falsepositive", "false positive|false alarm|fp"),
    ("falsenegative", "false negative|fn"),
    ("truepositive", "true positive|tp"),
    ("auc", "area under the curve|area under curve|auc|auroc|roc auc"),
    ("prcurve auc", "area under the precision recall curve|area under the pr curve|precision recall auc|pr auc|auprc"),
    ("prcurve", "precision recall curve|pr curve"),
    ("ece", "expected calibration error|ece"),
    ("fid", "frechet inception distance|fid"),
    ("iou", "intersection over union|iou|jaccard"),
    ("nms", "non maximum suppression|non max suppression|nonmaximum suppression|nonmax suppression|nms"),
    ("hyperparameter", "hyper parameter|hyperparameter|hyperparam|hparam"),
    ("onehot", "one hot|onehot"),
    ("qkv", "queries keys and values|query key and value|queries keys values|q k and v|q k v|qkv"),
    ("kv", "keys and values|key and value|k and v|k v|kv"),
    ("qvalue", "q value|q function|q table|action value|qvalue"),
    ("qlearning", "q learning|qlearning"),
    ("dqn", "deep q network|deep q learning|dqn"),
    ("offpolicy", "off policy|offpolicy"),  # "off" and "on" are stop words: keep them here
    ("onpolicy", "on policy|onpolicy"),
    ("replay", "replay buffer|experience replay|replay memory"),
    ("ptq", "post training quantization|posttraining quantization|ptq"),
    ("qat", "quantization aware training|qat"),
    ("cnn", "convolutional neural network|convolutional neural net|convnet|cnn"),
    ("rnn", "recurrent neural network|recurrent neural net|recurrent network|recurrent net|rnn"),
    ("lstm", "long short term memory|lstm"),
    ("gru", "gated recurrent unit|gru"),
    ("mlp", "multi layer perceptron|multilayer perceptron|mlp"),
    ("ffn", "feed forward network|feed forward layer|feedforward network|feed forward|feedforward|ffn"),
    ("gqa", "grouped query attention|gqa"),
    ("mqa", "multi query attention|multiquery attention|mqa"),
    ("multihead attention", "multi head attention|multihead attention|mha"),
    ("multihead", "multi head|multihead|multiple heads|several heads|many heads"),
    ("gan", "generative adversarial network|generative adversarial net|gan"),
    ("wasserstein gan gradient penalty", "wgan gp"),
    ("wasserstein gan", "wgan"),
    ("vae", "variational autoencoder|variational auto encoder|vae"),
    ("elbo", "evidence lower bound|elbo"),
    ("llm", "large language model|llm"),
    ("vit", "vision transformer|vit"),
    ("rl", "reinforcement learning|rl"),
    ("mdp", "markov decision process|mdp"),
    ("rlhf", "reinforcement learning from human feedback|rlhf"),
    ("dpo", "direct preference optimization|dpo"),
    ("sft", "supervised fine tuning|supervised finetuning|sft"),
    ("lora", "low rank adaptation|low rank adapter|lora"),
    ("moe", "mixture of experts|moe"),
    ("rag", "retrieval augmented generation|rag"),
    ("rope", "rotary position embedding|rotary positional embedding|rotary positional encoding|rotary embedding|"
             "rope"),
    ("bpe", "byte pair encoding|byte pair|bpe"),
    ("pca", "principal component analysis|principal components|pca"),
    ("nearest neighbor", "k nearest neighbors|k nearest neighbours|nearest neighbour|knn"),
    ("svm", "support vector machine|svm"),
    ("ddp", "distributed data parallel|ddp"),
    ("fsdp", "fully sharded data parallel|fsdp"),
    ("allreduce", "all reduce|allreduce"),  # "all" is a stop word: an all-reduce is not a "reduce"
    ("allgather", "all gather|allgather"),
    ("reducescatter", "reduce scatter|reducescatter"),
    ("oom", "out of memory|oom"),
    ("ood", "out of distribution|out of domain|ood"),
    ("crossvalidation", "cross validation|cross validate|k fold|kfold"),
    ("topk", "top k|topk"),
    ("topp", "top p|topp|nucleus sampling|nucleus"),
    ("warmup", "warm up|warmup|warming up"),
    ("downsample", "down sample|downsample|subsample"),
    ("upsample", "up sample|upsample"),
    ("batch", "minibatch|mini batch"),  # a "mini-batch" is a batch
    ("microbatch", "microbatch|micro batch"),
    ("batch size", "batchsize|bs"),
    ("checkpoint", "checkpoint|ckpt|snapshot"),
    ("gaussian", "normal distribution|gaussian distribution|gaussian|standard normal"),  # not "normalize"
    ("dot product", "dot product|inner product|scalar product"),
    ("cosine similarity", "cosine similarity|cosine sim|cos sim"),
    ("direct acyclic graph", "directed acyclic graph|dag"),
    ("acyclic", "no cycles|no cycle|without cycles|no loops|acyclic"),
    ("nonneg", "nonnegative|non negative|never negative|geq #0|at least #0"),
    ("asymmetric", "asymmetric|asymmetrical|asymmetry|not symmetric|not symmetrical"),
    ("stream", "real time|realtime|streaming|stream"),
    ("quadratic", "quadratic|quadratically|o(n^2)|o(n*n)|o(l^2)|o(t^2)|n^2|l^2|t^2|n squared|n by n|n x n|"
                  "length squared|square of the length|square of the sequence length"),
    ("constant", "o(1)|constant"),
    ("linear", "o(n)|linearly|linear"),
    ("downweight", "down weight|downweight|weigh less|less weight|smaller weight|lower weight"),
    ("upweight", "up weight|upweight|weigh more|more weight|bigger weight|larger weight|higher weight"),
    ("!positive", "=positive|=positives|=positively"),  # Snowball stems "positive" and "position" alike
    ("dropout", "drop out|dropout"),  # not "drop" (below)
    ("skip", "skip connection|skip path|shortcut connection|shortcut|residual connection|=skip|=skips"),
    ("receptivefield", "receptive field"),
    ("nonlinear", "non linear|nonlinear|non linearity|nonlinearity"),
    ("nonzero", "non zero|nonzero"),
    ("noparam", "no parameter|no learnable parameter|no trainable parameter|no weight|no learnable weight|"
                "parameter free|nothing to learn"),
    ("unchanged", "does not change|do not change|is not changed|are not changed|will not change|not changed|"
                  "unchanged|unaffected|stay the same|stays the same|remain the same|remains the same"),
    ("monitor", "keep an eye on|keep track of|track|watch|monitor"),
    ("suspicious", "too good to be true|suspicious|suspiciously"),
    ("oscillate", "zig zag|zig zags|zig zagging|zigzag|zigzagging"),
    ("sequential", "one after the other|one after another|sequential|sequentially"),
    ("alternate", "take turns|=alternate|=alternates|=alternating|=alternately"),  # not "alternative"
    ("epoch", "full pass over the data|pass over the data|pass over the dataset|pass over the whole dataset|"
              "pass over the training set|pass over the training data|pass through the data|full pass|"
              "complete pass"),
    ("unstable", "instability|unstable|unstably|not stable|hard to train stably|hard to stabilize"),
    ("noise", "random vector|random noise|random input|random code|latent vector|latent code|noise"),
    ("groundtruth", "ground truth|=gold|=correct"),  # not "correction"
    ("logit", "raw score|raw output|unnormalized score|unnormalized output|unnormalized log probability|logit|"
              "preactivation|pre softmax|presoftmax"),
    ("nograd", "no grad|nograd"),
    ("timestep", "time step|timestep"),
    ("boundary", "decision boundary|hyperplane|separating plane"),
    ("power", "raised to the power of|raised to the power|raised to|to the power of|to the power"),
    ("testset", "test set|test split|test data"),
    ("trainset", "train set|training set|train split|training split|train data|training data|train portion"),
    ("inference", "test time|at test|prediction time|inference time|generation time|decoding time|inference"),
    ("explode", "blow up|blew up|blown up|blows up|explode|explosion|skyrocket"),
    ("vanish", "vanish|shrink to #0|shrink toward #0|shrink towards #0|go to #0|goes to #0|die off|die out|"
               "dies out|fade|fades|fade away|disappear|decay to #0"),
    ("vanish small", "is tiny|are tiny|become tiny|becomes tiny|get tiny|gets tiny|getting tiny|vanishingly small"),
    ("dead", "switched off|switch off|turned off|turn off|zeroed out|zeroes out|=zeroed|=zeroes|stuck at #0|"
             "stuck outputting #0|stuck off|dead|die|disable|deactivate|deactivated|kill|kills|killed"),
    ("grow", "go up|goes up|went up|gone up|going up|shoot up|shoots up"),
    ("reduce", "go down|goes down|went down|gone down|going down|come down|comes down|=drop|=drops|=dropped|"
               "=dropping"),
    ("fast", "speed up|speeds up|sped up|speedup"),
    ("slow", "slow down|slows down"),
    ("model", "neural network|neural net|network|net|nn|model"),  # said interchangeably in answers
    ("parameter", "param|parameter|=weight|=weights|theta"),  # not "weighted"
    ("accuracy", "accuracy|acc"),
    ("regularization", "regularization|regularizer|regularize|reg"),
    ("validation", "validation|val|dev set|held out set|held out data|held out|heldout|holdout"),
    ("log", "log"),  # "ln(C)" is read as "log(C)" first; a bare "LN" is LayerNorm (above)
    ("#0.5", "halve|in half"),
    ("#2 time", "twice|=double|=doubles|=doubled|=doubling|two fold|two times"),
    ("#1", "single|once"),
)  # fmt: skip

# Same-meaning words, merged after stemming; the first word names the group.
_GROUPS: tuple[str, ...] = (
    "big bigger biggest large larger largest huge high higher highest massive enormous giant vast",
    "small smaller smallest tiny little low lowest few fewer negligible minuscule",
    "reduce reduces decrease shrink lower lowers lowered lowering fall falls decline diminish",
    "grow increase rise raise jump",
    "same identical equal unchanged",
    "fast faster fastest quick quicker speed accelerate",
    "cheap cheaper inexpensive",
    "slow slower crawl sluggish",
    "expensive costly pricey",
    "hard harder difficult tough tricky",
    "easy easier easily trivial straightforward",
    "deep deeper deepest depth",
    "wide wider widest width",
    "previous past earlier preceding",
    "future later subsequent upcoming",
    "last final",
    "remove delete discard throw chop",
    "error mistake wrong misclassified",
    "combine mix merge blend",
    "copy replica clone master",
    "stop halt",
    "threshold cutoff",
    "predict guess",
    "choose select pick",
    "estimate approximate approx",
    "improve better",
    "full whole entire complete",
    "vocabulary vocab",
    "dimension dim",
    "exponential exponentially geometric geometrically multiplicatively",
    "probability chance prob",
    "convolution conv convolutional",
    "kernel filter",
    "gradient grad",
    "slope derivative deriv",
    "initialization init initialize initial",
    "neuron unit",
    "mean average avg mu",
    "variance var spread variability",
    "normalize standardize",
    "scale multiplier",
    "shift offset translation",
    "magnitude norm",
    "learn learnable learned trainable",
    "cache store",
    "freeze frozen",
    "attention attn attend",
    "sequence seq",
    "length len",
    "leak leakage",
    "recompute redo rerun",
    "segment chunk",
    "path route",
    "bootstrap resample",
    "discriminator critic adversary",
    "sharpen sharp sharper sharpest peaky peakier peaked",
    "flatten flat flatter uniform",
    "greedy argmax",
    "rank ranking order ordering",
    "dampen damp smooth",
    "oscillate oscillation zigzag bounce",
    "compound snowball accumulate",
    "reward payoff",
    "finite bounded",
    "infinite unbounded",
    "detect detection detector",
    "evaluate evaluation eval",
    "update step iteration",
    "sparse sparsity",
    "stable stability stabilize steady",
    "symmetric symmetry",
    "accurate accuracy",
    "frequent frequency",
    "divide division",
    "noise noisy",
    "fail failure",
    "exist existence",
    "label target annotation annotated",
    "soft soften",
    "permute permutation shuffle",
    "impute imputation",
    "missing missingness",
    "indicator flag",
    "concatenate concat",
    "classification classifier classify",
    "imbalance imbalanced unbalanced skewed",
    "distribution distr",
    "temperature temp",
    "augmentation augment aug",
    "quantization quantize quant",
    "prune sparsify",
    "image img picture",
    "environment env",
    "schedule scheduler",
    "share reuse reused tie tied",
    "value worth",
    "robust robustness insensitive resistant tolerant",
    "sensitive fussy finicky",
    "prevent avoid mitigate alleviate fix solve remedy cure tackle counter combat",
    "enable allow permit",
    "capacity expressiveness expressivity expressive",
    "memory ram vram footprint",
    "gpu device worker accelerator",
    "shard slice partition subset portion",
    "inspect examine eyeball visualize",
    "tune adjust tweak",
    "data example datapoint",
    "embedding emb",
    "multi multiple several",
    "consistent agree aligned",
    "relation relationship relationships relations",
    "diversity diverse variety",
    "hallucinate hallucination confabulate",
    "perplexity ppl",
    "epsilon eps",
    "memorize memorization",
)

# Paraphrases an answer uses for a textbook term, and the term's tokens the answer then also says (only the
# answer: a point is still made of its own words). Variants are compared in order, on the same tokens as the
# rest (stop words kept, "a"/"an"/"the" dropped), with up to two other words between consecutive ones; "num"
# stands for any number.
_IDIOMS: tuple[tuple[str, str], ...] = (
    # CNNs
    ("local connectivity", "small patch|local patch|small region|local region|small neighborhood|"
                           "local neighborhood|nearby pixels|neighboring pixels|locally connected|"
                           "sparse connections|sparse connectivity|sparsely connected"),
    ("weight sharing", "same filter|same kernel|same weights|reuse weights|weights reused|shared weights|"
                       "share weights|tied weights|slide filter|filter slid|slid filter|filter slides|"
                       "same parameters everywhere|same detector"),
    ("translation equivariance", "shift input shifts|shifting input shifts|shifted input shifts|shift image shifts|"
                                 "moves output|shifts output|shifts feature map"),
    ("translation invariance", "robust small shifts|insensitive small shifts|tolerance small shifts|"
                               "tolerant small shifts|regardless position|regardless location|"
                               "wherever it appears|anywhere in image"),
    # gradients and training dynamics
    ("vanishing gradient", "gradient near num|gradient close num|gradient almost num|"
                           "gradients die|signal dies|signal fades|barely updated|barely learn|"
                           "barely get updated|hardly updated|slope goes to nothing"),
    ("exploding gradient", "gradient big|big gradient|gradients grow without bound|gradient gets huge|"
                           "grads huge"),
    ("saturate", "flatten out|level off|slope num|derivative num|derivative near num|slope near num|"
                 "gradient num at extremes|pinned near"),
    ("unstable training", "hard to train|difficult to train|tricky to train|finicky|fragile|"
                          "notoriously hard|sensitive to hyperparameters"),
    ("chain rule", "multiply local derivative|multiplying local derivative|multiply local gradient|"
                   "multiplying local gradient|product local derivative|product local gradient|"
                   "local derivatives|local gradients|chain derivatives"),
    ("constant multiple", "num time cost forward|num time forward|few times forward|couple times forward|"
                          "num times cost of forward"),
    ("backpropagation learned", "trained gradient descent|learned gradient descent|updated gradient descent|"
                                "trained sgd|learned sgd|updated sgd|learned jointly|trained jointly|"
                                "trained end to end|learned end to end|updated along with|along with everything"),
    ("skip path", "bypass|direct route|direct path|gradient highway|straight through"),
    ("symmetry never broken", "same update|same gradient|identical neurons|neurons identical|"
                              "neurons same|same activation|learn same thing|learn same feature"),
    ("random initialization", "draw weights randomly|randomly initialize|random init|initialize randomly|"
                              "random weights|random values|sample weights"),
    ("correction start num", "initialized num|start at num|started at num|initialized to num|"
                                  "start num|biased toward num|too small first steps|too small early"),
    ("first moment estimate", "ema gradient|ema grads|running mean gradient"),
    ("second moment estimate", "ema square|mean square|squared gradient|gradient squared|grads squared|"
                               "squared grads|rmsprop"),
    ("beta", "decay factor|momentum coefficient|momentum factor|decay coefficient"),
    ("accelerate", "build speed|builds speed|gain speed|pick up speed|gather speed|speeds things up|speed up"),
    ("consistent direction", "same direction|keep pointing|gradients agree|same sign"),
    ("initialization", "starting weights|starting point|starting values|initial weights|where you start"),
    ("learning rate small reduce", "small lr|lr small|reduce lr|lr reduce|lower lr|lr lower"),
    ("sweep", "try lr|several lr|different lr|multiple lr|lr grid|grid lr|lr finder|lr range|search lr|"
              "lr search|log grid|grid search|range of lr"),
    ("patience", "num epochs in row|in row|for num epochs|no improvement for|not improved for|"
                 "stopped improving for|without improvement"),
    ("restore best checkpoint", "go back|roll back|revert|reload|best parameters|best model|best epoch|"
                                "save best|keep best|lowest val|best val"),
    ("vectorization", "gpu well|use gpu|gpu efficient|efficient gpu|parallel hardware|hardware efficient|"
                      "vectorized|vectorised"),
    ("samples per update", "samples per step|examples per step|per update|all samples|all training samples|"
                           "num sample per"),
    # regularization and generalization
    ("co-adaptation", "rely single|rely any single|rely specific|rely particular|depend particular|"
                      "depend specific|rely other|depend partner|rely partner|rely on each other"),
    ("implicit ensemble subnetworks", "thinned networks|many networks|many models|many sub networks|"
                                      "exponentially many|average lots small|averaging many|"
                                      "average many|subnetworks|mean small model"),
    ("disabled", "nothing dropped|no dropout|not dropped|without dropout|dropout off|dropout turned off|"
                 "all neurons used|use all neurons|all units active"),
    ("overfit high variance", "memorize|memorise|fits noise|fit noise"),
    ("high bias", "underfit|underfitting|can not fit|can not even fit|too simple"),
    ("high variance", "overfit|overfitting|noisy|jumpy|erratic|fluctuate"),
    ("reduce variance", "cancel out|errors cancel|average out|less noisy|reduce noise|lower noise|"
                        "smooth out noise"),
    ("ensemble", "combine models|combine many models|combine several models|multiple models|several models|"
                 "several copies|many copies|average predictions|mean outputs|committee|mean of outputs"),
    ("bigger model", "big network|big model|more layers|more capacity|more parameters"),
    ("longer training", "train longer|more epochs|longer training|more steps"),
    ("soft targets", "soft labels|soften probabilities|softened|soft probabilities|full distribution|"
                     "whole distribution"),
    ("soften onehot targets", "spread num over|spread probability|spread mass|spread small|spread some|"
                              "instead of num and num"),
    ("overconfident confidence", "too sure|overly sure|too confident|overly confident|too certain|"
                                 "overly certain|num sure|num percent sure|extreme logits"),
    ("imitate student teacher", "small model match|small model mimic|small model copy|match teacher|"
                                "mimic teacher|copy teacher|match big model|mimic big model|student network"),
    ("optimistic bias", "flattering|overly optimistic|optimistic|overestimate|too rosy|inflated"),
    ("test once unbiased", "touch only at end|only once at end|very end|untouched|never tune on|lock away"),
    ("hyperparameter tuning", "pick settings|choose settings|tune settings|settings like|like lr|such as lr"),
    ("held out", "not train on|never train on|never seen|not seen|unseen|not used for training"),
    # data
    ("imputation", "fill in missing|fill missing|fill gaps|fill values|replace missing|fill with median|"
                   "fill with mean"),
    ("indicator", "binary flag|flag column|missing flag|was missing|dummy variable"),
    ("fit training split only", "only trainset|trainset only|fit trainset|compute trainset|statistics trainset|"
                                "only on trainset|only from trainset"),
    ("preprocessing", "scaler|standardization|normalization statistics|normalization means"),
    ("temporal split", "split by date|split by time|time based split|chronological|time ordered|by date|"
                       "train on past|past predict future"),
    ("group split", "split by user|split by patient|by patient|by user|same patient|same user"),
    ("oversampling", "duplicate rare|duplicating rare|duplicate minority|duplicating minority|repeat minority|"
                     "repeat rare|upsample minority"),
    ("undersampling", "drop common|dropping common|drop majority|dropping majority|discard majority|"
                      "remove majority|subsample majority|downsample majority"),
    ("tune decision threshold", "move threshold|shift threshold|change threshold|lower threshold|"
                                "raise threshold|adjust threshold|pick threshold"),
    ("labeled data", "input output pairs|right answers|correct answers|known answers|annotated"),
    ("class frequency", "base rate|class prior|class ratio|positive rate|prevalence|proportion positive"),
    ("feature", "column"),
    ("inspect monitor", "look at|looking at|check by eye|print out|plot"),
    # probability, losses and evaluation
    ("zero centered", "mean num|num mean|centered num|centered at num|centered on num|centered around num|"
                      "symmetric around num|symmetric around origin|average around num"),
    ("unbounded", "no upper limit|no upper bound|no max|not bounded|can grow arbitrarily|arbitrarily large|"
                  "no ceiling|no limit"),
    ("sparse activations", "many zeros|lots zeros|mostly zeros|mostly num"),
    ("cheap compute", "cheap|fast compute|simple threshold|just threshold|simple max|just max"),
    ("robust outliers", "not dominated|less sensitive outliers|insensitive outliers|outliers do not dominate|"
                        "big errors dominate|few huge errors"),
    ("compact domain", "bounded closed|closed bounded|compact set|compact subset|bounded region|bounded domain|"
                       "bounded interval|finite interval|closed interval"),
    ("learning guarantee", "no guarantee|not guarantee|not guaranteed|how to find|not that sgd finds|"
                           "not that gd finds|does not say how"),
    ("reliability diagram", "predicted probability vs observed|confidence vs accuracy|calibration curve|"
                            "calibration plot|bin predictions|in bins"),
    ("temperature scaling", "divide logits scalar|divide logits by single|scale logits scalar|single scalar t|"
                            "logits by t|logits by temperature"),
    ("cumulative reward", "total reward|sum of rewards|sum rewards|long term reward|rewards over time|"
                          "overall reward|expected return|discounted return|sum of future rewards"),
    ("maximize", "as much as possible|as large as possible|as high as possible"),
    ("minimize", "as small as possible|as low as possible|as little as possible"),
    ("easy downweight", "well classified|easy examples contribute|confident examples contribute|"
                        "contribute almost nothing"),
    ("origin move boundary away", "pass through num|through origin|intercept|shift boundary|move boundary|"
                                  "fire even when"),
    ("strength connection scale", "how much input|input influences|influences neuron|how strong|how strongly|"
                                  "importance input"),
    # generative models
    ("mode collapse", "same few outputs|same output regardless|same few samples|same samples|few modes|"
                      "lack diversity|low diversity|little diversity|no diversity|only few kinds|"
                      "limited variety|little variety|same images|one mode"),
    ("minimax game adversarial", "against each other|zero sum|compete|competing|min max|minimax|two player"),
    ("explicit likelihood", "no likelihood|no density|can not evaluate likelihood|implicit density|"
                            "can not compute likelihood|no probability density"),
    ("monitor samples", "look at samples|inspect samples|eyeball samples|visualize samples|check samples|"
                        "look samples"),
    ("tail unreliable", "low probability tokens|unlikely tokens|junk tokens|junk|garbage|nonsense|rare tokens"),
    ("hallucinate", "make up|makes up|made up|invent|invents|fabricate|fabricates"),
    # sequence models and transformers
    ("long range dependency", "distant tokens|far apart|far away tokens|any two tokens|any token any other|"
                              "long distance|distant words|distant positions"),
    ("one step path", "in one step|single step|one hop|single hop|constant path|path length num|single layer|"
                      "one layer"),
    ("autoregressive", "generating text|text generation|token by token|one token at time|"
                       "next token prediction|predict next token|predict next word"),
    ("forward", "left to right"),
    ("backward", "right to left"),
    ("concatenate", "stick together|glue together|join together|side by side"),
    ("advance full sequence", "in advance|ahead of time|upfront|beforehand|whole sequence available|"
                              "entire sequence available|need future"),
    ("groundtruth previous token", "real previous|real word|true word|actual word|true previous|"
                                   "actual previous|correct previous|real token|true token"),
    ("mismatch exposure", "own mistakes|own predictions|own outputs|own guesses|never saw during training|"
                          "never sees during training|not seen during training"),
    ("lookup table", "index row|row per token|one row per|select row|pick row|indexing row|indexing into"),
    ("pretrained embedding", "word2vec|glove|fasttext"),
    ("embedding", "word vector|word vectors|token vector|token vectors|dense vector|dense vectors"),
    ("dynamic graph", "on fly|define by run|eager|eagerly|built each forward|rebuilt every"),
    ("static graph", "define and run|compiled once|built once|fixed graph|ahead of time"),
    # RL
    ("immediate reward value", "right now|get now|now plus"),
    ("discount factor", "gamma|how much care about later|how much care about future"),
    ("experience replay", "transitions buffer|buffer transitions|store transitions|transitions stored|"
                          "stored transitions|replay"),
    ("epsilon greedy exploration", "random action|action random|random small probability|"
                                   "small probability random|otherwise greedy|greedy otherwise"),
    # transfer
    ("replace last layer classification", "remove last|new head|new classifier|replace head|swap head|"
                                          "new output layer|new last layer|chop last"),
    ("freeze", "parameters fixed|fix parameters|keep fixed|backbone fixed|not update backbone|lock|locked"),
)  # fmt: skip

# Words that carry little on their own in this field: they count half (numbers 0, 1 and 2 a quarter).
_WEAK = (
    "gradient layer train model network loss data input output parameter function value set time learn neuron "
    "size number example sample result method problem big small work new good first keep large design approach "
    "technique idea type kind case help allow enable cause lead ensure fit"
)

# Broader terms an answer implies: an answer saying "dropout" covers a point's "regularization", not vice versa.
_IMPLIES: tuple[tuple[str, str], ...] = (
    ("dropout weightdecay l1 l2 augmentation", "regularization"),
    ("batchnorm layernorm groupnorm instancenorm rmsnorm", "normalize"),
    ("relu gelu tanh sigmoid swish silu leaky", "nonlinear activation"),
    ("sgd adam adamw rmsprop adagrad", "optimizer"),
    ("xavier kaiming orthogon", "initialization"),
    ("fp16 bf16 fp32 int8 int4", "precision"),
    ("lstm gru", "rnn"),
    ("resnet", "skip"),
    ("smote oversampling undersampling", "resample"),
    ("mixup cutmix cutout randaugment", "augmentation"),
    ("int8 int4 ptq qat", "quantization"),
    ("impute normalize scaler", "preprocess"),
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
    against among along onto upon without means become becomes but require requires required apply applies applied
    call called known says said saying normally generally mostly mainly commonly lot lots bit super pretty fairly somewhat something anything everything try tries tried
"""
_STOP = frozenset(_STOP_WORDS.split())
_ARTICLES = frozenset(("a", "an", "the"))

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

# Symbols an answer types for words: Greek letters by name, comparisons as words ("KL >= 0" is "KL geq 0").
_UNICODE = str.maketrans(
    {
        "²": "^2", "³": "^3", "×": " x ", "·": " ", "≈": " ", "–": "-", "—": " ", "’": "'", "√": " sqrt ",
        "α": " alpha ", "β": " beta ", "γ": " gamma ", "δ": " delta ", "ε": " epsilon ", "η": " eta ",
        "θ": " theta ", "λ": " lambda ", "μ": " mu ", "σ": " sigma ", "τ": " tau ", "π": " pi ", "ρ": " rho ",
        "∇": " grad ", "∑": " sum ", "Σ": " sum ", "≥": " geq ", "≤": " leq ", "≠": " neq ", "→": " to ",
        "∞": " infinity ", "⊙": " * ", "∘": " * ",
    }
)  # fmt: skip
_DIGITS = str.maketrans("0123456789.-+e", "abcdefghijpmqx")  # "e": the exponent of 3.4e+38 (not 4)
# Prefixes whose hyphenated and joined spellings are one word ("pre-trained", "pretrained").
_PREFIXES = "over|under|non|pre|post|sub|co|re|un|semi|auto|de|anti|mis|inter|intra|hyper"


_CONTRACTED = {"wo": "will not", "ca": "cannot", "sha": "shall not"}  # "won't", "can't", "shan't"


def _num(value: float) -> str:
    """A number's token: its value spelled without digits, so that later number patterns leave it alone."""
    return f" #{f'{value:.6g}'.translate(_DIGITS)} "


def _deletions(token: str) -> tuple[str, ...]:
    """`token` with one letter left out, the first letter always kept (for one-letter typos)."""
    return tuple(token[:i] + token[i + 1 :] for i in range(1, len(token)))


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
        # "10-20%" is 10% to 20%
        self.percent_range = re.compile(r"(?<![\w.])(\d*\.?\d+)\s*-\s*(?=\d*\.?\d+\s*(?:%|percent\b|per cent\b))")
        self.dims = re.compile(r"(?<=\d)\s*×\s*(?=\d)")  # "3 × 3" is "3x3"
        self.ratio = re.compile(r"(?<![\w./])(\d+)/(\d+)(?![\w./(])")
        self.times = re.compile(r"(?<![\w.])(\d*\.?\d+)x\b")
        self.plain = re.compile(r"(?<![\w.])(\d*\.\d+|\d+)(?![\w]|\.\d)")
        self.absolute = re.compile(r"\|([^|\s]{1,12})\|")  # |w| is the absolute value of w
        self.negation = re.compile(r"\b(?:(wo|ca|sha)|(\w+))n't\b")
        self.natural_log = re.compile(r"\bln(?=\()")
        # "T > 1" is "T above 1"; an arrow ("fp32 -> int8", "<-") is no comparison
        self.signs = re.compile(r">=|<=|!=|(?<![-=<>])>(?![=>])|(?<![<>])<(?![-=<>])|\bw/o\b|\bw/(?=\s)|&")
        self.has_sign = re.compile(r"[<>!&/|]")
        self.digit = re.compile(r"\d")
        self.prefix = re.compile(rf"\b({_PREFIXES})-(?=[a-z])")
        self.british = re.compile(r"\b([a-z]{3,}?)(?<!w)is(e|ed|es|ing|ation|ations|er|ers)\b")
        self.british_our = re.compile(r"\b(behavi|col|neighb|fav|flav|lab|hon|harb|rum)our")
        self.british_re = re.compile(r"\b(cent|met|lit|fib)r(e|es|ed|ing)\b")
        self.token = re.compile(r"#[a-z]+|[a-z0-9]+")

        self.stemmer = snowballstemmer.stemmer("english")
        self.stems: dict[str, str] = {}
        self.groups: dict[str, str] = {}
        for group in _GROUPS:
            head, *rest = group.split()
            for word in (head, *rest):  # a word in two groups stays in the first
                self.groups.setdefault(self.stem_word(word), self.stem_word(head))
        self.groups[self.stem_word("zero")] = _num(0).strip()
        self.phrases: dict[tuple[str, ...], tuple[str, ...]] = {}  # stems of a phrase -> its canonical tokens
        self.exact: dict[str, tuple[str, ...]] = {}  # "=word" variants: the word as written -> canonical tokens
        self.longest: dict[str, int] = {}  # first stem of a phrase -> its longest phrase, in words
        for canonical, variants in _PHRASES:
            tokens = tuple(self.canonical(t) for t in canonical.split())
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
        # Idioms, indexed by their first token: (the rest of the variant's tokens, the term's tokens).
        self.idioms: dict[str, list[tuple[tuple[str, ...], frozenset[str]]]] = {}
        for term, variants in _IDIOMS:
            adds = self.units(term)
            for variant in variants.split("|"):
                key = tuple("#" if t == "num" else t for t in self.sequence(variant)[0])
                self.idioms.setdefault(key[0], []).append((key[1:], adds))

    def canonical(self, token: str) -> str:
        if token[0] == "#":
            return _num(float(token[1:])).strip()
        return token[1:] if token[0] == "!" else self.stem(token)

    def stem_word(self, word: str) -> str:
        stem = self.stems.get(word)
        if stem is None:
            stem = self.stems[word] = self.stemmer.stemWord(word)
        return stem

    def raw_stem(self, word: str) -> str:
        if word[0] == "#" or word in _STOP:  # numbers, and stop words (only ever compared inside phrases)
            return word
        return self.stem_word(word)

    def stem(self, word: str) -> str:
        stem = self.raw_stem(word)
        return self.groups.get(stem, stem)

    def numbers(self, text: str) -> str:
        """Rewrite the usual spellings of a number as its `#value` token."""
        text = self.fraction.sub(
            lambda m: _num(_NUMBER_WORDS.get(m.group(1) or "one", 1) * _FRACTION_WORDS[m.group(2)]), text
        )
        digits = self.digit.search(text) is not None  # most patterns need a digit: skip them when there is none
        if digits:
            text = self.scaled.sub(lambda m: _num(float(m.group(1)) * _SCALE[m.group(2) or m.group(3)]), text)
        text = self.number_words.sub(
            lambda m: _num(_NUMBER_WORDS[m.group(1)] * _NUMBER_WORDS.get(m.group(2) or "one", 1)), text
        )
        if not digits:
            return text
        text = self.scientific.sub(lambda m: _num(float(m.group(0))), text)
        text = self.grouped.sub(lambda m: m.group(0).replace(",", ""), text)
        text = self.percent_range.sub(r"\1% ", text)
        text = self.percent.sub(lambda m: _num(_THIRDS.get(m.group(1)) or float(m.group(1)) / 100), text)
        text = self.ratio.sub(lambda m: _num(int(m.group(1)) / max(1, int(m.group(2)))), text)
        text = self.times.sub(lambda m: _num(float(m.group(1))) + "time ", text)
        return self.plain.sub(lambda m: _num(float(m.group(1))), text)

    def words_of(self, text: str) -> list[str]:
        """Lower-cased words and number tokens, with spellings folded."""
        if "×" in text:
            text = self.dims.sub("x", text)
        text = text.translate(_UNICODE).lower()
        if not text.isascii():  # "Fréchet" is "frechet"
            text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        if self.has_sign.search(text):  # the rarer patterns only run when their characters occur
            text = self.signs.sub(lambda m: _SIGNS[m.group(0)], text)
            text = self.absolute.sub(r" absolute \1 ", text)
        if "'" in text:
            text = self.negation.sub(lambda m: _CONTRACTED.get(m.group(1), (m.group(2) or "") + " not"), text)
        if "(" in text:
            text = self.natural_log.sub("log", text)
        if "-" in text:
            text = self.prefix.sub(r"\1", text)
        text = self.british.sub(r"\1iz\2", text)
        text = self.british_our.sub(r"\1or", text)
        text = self.british_re.sub(lambda m: m.group(1) + "er" + {"e": "", "es": "s"}.get(m.group(2), m.group(2)), text)
        return self.token.findall(self.numbers(text))

    def sequence(self, text: str) -> tuple[list[str], list[int]]:
        """The tokens of `text` in order, phrases rewritten and the rest stemmed and merged, each with its kind:
        0 a stop word, 1 a single letter, 2 a content token. Articles are left out."""
        words = self.words_of(text)
        stems = [self.raw_stem(w) for w in words]
        seq: list[str] = []
        kinds: list[int] = []
        i = 0
        while i < len(words):
            for n in range(min(self.longest.get(stems[i], 0), len(words) - i), 1, -1):
                if (tokens := self.phrases.get(tuple(stems[i : i + n]))) is not None:
                    break
            else:
                n = 1
                tokens = self.exact.get(words[i]) or self.phrases.get((stems[i],))
                if tokens is None and stems[i] == words[i] and len(words[i]) > 2 and words[i][-1] == "s":
                    # the stemmer leaves abbreviations' plurals alone: "LRs" and "GPUs" are "lr" and "gpu"
                    single = words[i][:-1]
                    tokens = self.phrases.get((single,))
                    if tokens is None and single in self.groups:
                        tokens = (self.groups[single],)
            if tokens is not None:
                seq.extend(tokens)
                kinds.extend([2] * len(tokens))
                i += n
                continue
            word = words[i]
            if word[0] == "#":
                seq.append(word)
                kinds.append(2)
            elif word in _STOP:
                if word not in _ARTICLES:
                    seq.append(word)
                    kinds.append(0)
            else:
                seq.append(self.groups.get(stems[i], stems[i]))
                kinds.append(2 if len(word) > 1 or word.isdigit() else 1)
            i += 1
        return seq, kinds

    def units(self, text: str, letters: bool = False) -> frozenset[str]:
        """The content tokens of `text`: phrases rewritten, stop words dropped, the rest stemmed and merged.
        Single letters are dropped too, unless `letters` (formulas such as "c_t = f_t * c_{t-1}")."""
        seq, kinds = self.sequence(text)
        return frozenset(t for t, k in zip(seq, kinds, strict=True) if k == 2 or (k == 1 and letters))

    def idiom_terms(self, seq: list[str]) -> set[str]:
        """The textbook terms whose paraphrases (`_IDIOMS`) occur in `seq`, in order, at most two words apart."""
        out: set[str] = set()
        numbers = self.idioms.get("#", [])
        for i, token in enumerate(seq):
            for rest, adds in (*self.idioms.get(token, ()), *(numbers if token[0] == "#" else ())):
                at = i
                for want in rest:
                    for j in range(at + 1, min(at + 4, len(seq))):
                        if seq[j] == want or (want == "#" and seq[j][0] == "#"):
                            at = j
                            break
                    else:
                        break
                else:
                    out.update(adds)
        return out


_SIGNS = {
    ">=": " geq ",
    "<=": " leq ",
    "!=": " neq ",
    ">": " above ",
    "<": " below ",
    "w/o": " without ",
    "w/": " with ",
    "&": " and ",
}


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    return _Tables()


@lru_cache(maxsize=8192)  # every point and `also:` wording of the bank fits
def _units(text: str) -> frozenset[str]:
    """A key point's tokens; a point with no real words (a formula) keeps its single letters."""
    tables = _tables()
    units = tables.units(text)
    if sum(tables.weights.get(u, 1.0) for u in units) < 1.0:
        units = tables.units(text, letters=True)
    return units


# How an answer's clauses are cut for the checks below that look at where words stand: at punctuation and at the
# words that start a contrasting or explaining clause. Not at "and", which mostly joins the parts of one claim.
_CLAUSE = re.compile(
    r"[;,:!?()\[\]]|\.(?=\s|$)|\s-+\s|\s->\s|\b(?:but|whereas|while|although|though|however|because|since|which)\b",
    re.IGNORECASE,
)
# Words at which the two sides of a relation ("A then B") stop, inside a clause.
_CONJ = frozenset(("and", "or", "but", "so", "which", "while", "because"))

# Relation words whose two sides have roles: "predict the context from the centre word" is not "predict the centre
# word from the context". Each maps to its family and direction: "A then B", "A before B" and "B after A" say the
# same order, so they are one family with "after" reversed. (The tokens are the stems the matcher compares.)
_RELATIONS: dict[str, tuple[str, int]] = {
    "from": ("from", 1), "then": ("order", 1), "befor": ("order", 1), "after": ("order", -1), "per": ("per", 1),
    "over": ("over", 1), "than": ("than", 1),
}  # fmt: skip

# Opposites of the field, as word lists (stemmed and merged like the rest). A state and a change are kept apart:
# "reduces a high variance" says "high" and "reduces", which do not contradict each other.
_OPPOSITES: tuple[tuple[str, str], ...] = (
    ("big", "small"),
    ("grow", "reduce"),
    ("sharpen", "flatten"),
    ("fast", "slow"),
    ("cheap", "expensive"),
    ("easy", "hard"),
    ("overfit", "underfit"),
    ("parallel", "sequential"),
    ("before", "after"),
    ("positive", "negative"),
    ("upweight", "downweight"),
    ("maximize", "minimize"),
    ("explode", "vanish"),
    ("sparse", "dense"),
    ("stable", "unstable"),
    ("finite", "infinite"),
    ("linear", "quadratic"),
    ("overestimate", "underestimate"),
    ("deep", "shallow"),
    ("wide", "narrow"),
    ("above", "below"),
    ("long longer", "short shorter"),
    ("strong stronger", "weak weaker"),
)

# Words that deny what follows them ("never saturates", "can't be negative", "no padding"). A hedge after one ("not
# only", "not always", "not necessarily") leaves what follows it undenied.
_NEGATORS = "not no never cannot nor without none neither seldom"
_HEDGES = "only just necessarily always simply merely much as all quite exactly too entirely completely fully sure"
# Words that deny in other words ("skip decay on biases", "unlike LN"): a clause with one is never read as plainly
# asserting what a point denies.
_PRIVATIVES = "skip exclude avoid omit drop remove lack free instead rather unlike except fail"

# Weak words that are pure filler ("VGG design"): a two-word point may be ticked without them, but not without
# its other, field-generic weak words ("split by time", "per-parameter step size").
_FILLER = "work new good design approach technique idea type kind case help allow enable cause lead ensure keep method"

# A word the card's other points also use counts this much of its weight: the words a card's points share are its
# topic, and an answer about the topic says them whichever point it makes; a point is made by its own words.
_SHARED_WEIGHT = 0.75

# "name = expression" in a text, the expression up to a clause break or a word that ends a formula.
_FORMULA = re.compile(
    r"([a-z][\w ()^'-]{0,40}?)\s*(=|\bis\b)\s*(.+?)"
    r"(?=[,;=]|\.\s|\.?$|\s(?:with|where|so|which|and|i\.e\.|ie|for|since|because|when|if|then|is|means)\s)"
)
_CALL = re.compile(r"([a-z][a-z0-9_]*)\s*\(")  # "sigmoid(x)": the functions a formula applies
_OPERATOR = re.compile(r"[-+*/^]")
# "divide the logits by the temperature", "multiplied by T^2": an operation and what it divides or multiplies by.
_OPERATION = re.compile(
    r"\b(multipl|divid)\w*\b(?:\s+[\w'`^().-]+){0,4}?\s+by\s+(?:the\s+|a\s+|an\s+|its\s+)?"
    r"((?:inverse\s+|reciprocal\s+(?:of\s+)?(?:the\s+)?)?[^\s,;]+)"
)
_RECIPROCAL = re.compile(r"^(?:1/|inverse\s+|reciprocal\s+(?:of\s+)?(?:the\s+)?)")
# A range of numbers ("10-20%", "35 to 55 percent"): the answer may say either end.
_RANGE = re.compile(r"(?<![\w.])(\d[\d.,]*)\s*(?:-|to)\s*(\d[\d.,]*)(\s*(?:%|percent\b|[kmb]\b|x\b))?")
_DIMS = re.compile(r"\d+x\d+(?:x\d+)*")  # "3x3", "56x56x128"
# A lower bound: "100 or more", "8+", "at least 4", "more than 10".
_BOUND = re.compile(
    r"(?<![\w.^])(\d[\d.,]*\s*[kmb]?)(?:\+(?![\w(])|\s*(?:or more|and more|or above|or higher)\b)"
    r"|\b(?:at least|more than|over|above)\s+(\d[\d.,]*\s*[kmb]?)(?![\w.])"
)
_VALUES = str.maketrans("abcdefghijpmqx", "0123456789.-+e")

_Clause = tuple[tuple[str, int], ...]  # a clause's tokens in order, each with its kind (see `_Tables.sequence`)
# A clause's polarity: the content tokens it says plainly, the runs of them it denies, and whether it has any word
# that denies, a negator or a word that denies in other words (see `_polarity`).
_Polarity = tuple[frozenset[str], tuple[tuple[str, ...], ...], bool]
_Pair = tuple[frozenset[str], frozenset[str]]  # "A for B": the word before "for", and up to two after it


@lru_cache(maxsize=8192)
def _clause(text: str) -> _Clause:
    seq, kinds = _tables().sequence(text)
    return tuple(zip(seq, kinds, strict=True))


def _clauses(text: str) -> tuple[_Clause, ...]:
    text = text.replace("()", "")  # "optimizer.step() then loss.backward()" is one clause
    return tuple(_clause(part) for part in _CLAUSE.split(text) if part.strip())


def _sides(clause: _Clause, i: int, width: int) -> tuple[list[str], list[str]]:
    """Up to `width` content tokens on each side of the word at `i`, stopping at a conjunction ("first A and then
    B" keeps A)."""
    left: list[str] = []
    start = i - 1 if i > 0 and clause[i - 1][0] == "and" else i
    for token, kind in reversed(clause[:start]):
        if token in _CONJ or len(left) >= width:
            break
        if kind == 2:
            left.insert(0, token)
    right: list[str] = []
    for token, kind in clause[i + 1 :]:
        if token in _CONJ or len(right) >= width:
            break
        if kind == 2:
            right.append(token)
    return left, right


def _for_pairs(clauses: Sequence[_Clause]) -> tuple[_Pair, ...]:
    out = []
    for clause in clauses:
        for i, (token, _) in enumerate(clause):
            if token == "for":
                left, right = _sides(clause, i, 2)
                if left and right:
                    out.append((frozenset(left[-1:]), frozenset(right)))
    return tuple(out)


_Formula = tuple[frozenset[str], tuple[str, ...] | None, frozenset[str] | None]


@lru_cache(maxsize=4096)
def _formulas(text: str) -> tuple[_Formula, ...]:
    """The formulas a text writes, `name = expression` (or `name is expression` with a function in it): the name's
    tokens; the expression's operands, sorted (so "TP/(FP+TP)" is "TP/(TP+FP)"), if it is written in named terms;
    and the functions it applies ("x * sigmoid(x)"), if any. Operands are left out (None) when the expression has
    single-letter variables: writers name those differently ("N / B", "n / batch_size")."""
    tables = _tables()
    out = []
    for m in _FORMULA.finditer(text.translate(_UNICODE).lower()):
        name, sign, expr = m.groups()
        calls = frozenset(u for f in _CALL.findall(expr) for u in tables.units(f, letters=True))
        if sign != "=" and not calls:
            continue  # "precision is the fraction of ..." is words, not a formula
        if not _OPERATOR.search(expr) and not calls:
            continue
        seq, kinds = tables.sequence(expr)
        operands = tuple(sorted(t for t, k in zip(seq, kinds, strict=True) if k == 2))
        units = tables.units(name.split("(")[0], letters=True)
        if units:
            out.append((units, operands if operands and 1 not in kinds else None, calls or None))
    return tuple(out)


class _Said:
    """An answer's tokens, plus the terms its paraphrases and names imply, and its one-letter-typo index; and, for
    the checks on how it says them, its clauses, its "A for B" pairings and its formulas."""

    def __init__(self, text: str) -> None:
        tables = _tables()
        seq, kinds = tables.sequence(text)
        units = {t for t, k in zip(seq, kinds, strict=True) if k}
        units |= tables.idiom_terms(seq)
        units.update(*(tables.implies[u] for u in list(units) if u in tables.implies))
        self.text = text
        self.tokens = frozenset(units)
        self.negates = not _negation_words()[0].isdisjoint(seq)  # whether it has a negator at all
        long = [t for t in self.tokens if len(t) >= 6 and t.isalpha()]
        self.deleted = {d for t in long for d in _deletions(t)}  # what a said token is with a letter left out
        self.typos: dict[str, bool] = {}

    # Built on first use: only a covered point with a relation, opposites, a formula or "for" asks for them.
    @cached_property
    def clauses(self) -> tuple[_Clause, ...]:
        return _clauses(self.text)

    @cached_property
    def sets(self) -> tuple[frozenset[str], ...]:
        """Each clause's content tokens."""
        return tuple(frozenset(t for t, k in clause if k == 2) for clause in self.clauses)

    @cached_property
    def polarities(self) -> tuple[_Polarity, ...]:
        return tuple(map(_polarity, self.clauses))

    @cached_property
    def pairs(self) -> tuple[_Pair, ...]:
        return _for_pairs(self.clauses)

    @cached_property
    def formulas(self) -> tuple[_Formula, ...]:
        return _formulas(self.text) if "=" in self.text or "(" in self.text else ()

    def has_typo_of(self, token: str) -> bool:
        """Whether the answer says `token` one letter off (a letter added, left out, changed or two swapped)."""
        hit = self.typos.get(token)
        if hit is None:
            deletions = _deletions(token)
            hit = self.typos[token] = (
                len(token) >= 6
                and token.isalpha()
                and (token in self.deleted or any(d in self.tokens or d in self.deleted for d in deletions))
            )
        return hit


@lru_cache(maxsize=256)
def _said(text: str) -> _Said:
    return _Said(text)


@lru_cache(maxsize=1)
def _opposites() -> dict[str, frozenset[str]]:
    tables = _tables()
    out: dict[str, set[str]] = {}
    for a, b in _OPPOSITES:
        one, other = {tables.stem(w) for w in a.split()}, {tables.stem(w) for w in b.split()}
        for word in one:
            out.setdefault(word, set()).update(other)
        for word in other:
            out.setdefault(word, set()).update(one)
    return {word: frozenset(against) for word, against in out.items()}


@lru_cache(maxsize=1)
def _filler() -> frozenset[str]:
    return frozenset(map(_tables().stem, _FILLER.split()))


@lru_cache(maxsize=8192)
def _number_groups(text: str) -> tuple[tuple[frozenset[str], float | None], ...]:
    """The numbers a phrasing states, but 0, 1 and 2 (which say little alone): each a group of which the answer
    must say one, a range ("10-20%") being one group; or, for a bound ("100 or more layers", "at least 8"), the
    least number the answer may say instead."""
    weights = _tables().weights
    groups: list[tuple[frozenset[str], float | None]] = []
    rest = text
    for m in _RANGE.finditer(text):
        unit = m.group(3) or ""
        ends = _units(m.group(1) + unit) | _units(m.group(2) + unit)
        groups.append((frozenset(t for t in ends if _is_number(t)), None))
        rest = rest.replace(m.group(0), " ")
    for m in _BOUND.finditer(rest):
        bound = [t for t in _units(m.group(1) or m.group(2)) if t[0] == "#"]
        if bound:
            groups.append((frozenset(bound), _value(bound[0])))
            rest = rest.replace(m.group(0), " ")
    groups.extend((frozenset((t,)), None) for t in _units(rest) if _is_number(t) and t not in weights)
    return tuple(g for g in groups if g[0])


def _value(token: str) -> float:
    """The value of a number token ("#baa" is 100)."""
    return float(token[1:].translate(_VALUES))


def _says_number(group: tuple[frozenset[str], float | None], said: _Said) -> bool:
    tokens, least = group
    if tokens & said.tokens:
        return True
    return least is not None and any(t[0] == "#" and _value(t) >= least for t in said.tokens)


def _is_number(token: str) -> bool:
    return token[0] == "#" or _DIMS.fullmatch(token) is not None


def _swapped(point: str, said: _Said) -> bool:
    """Whether the answer says the point's relation ("A from B", "A then B", "A per B") with its sides swapped.

    Each side of the point's relation word (two content words, left and right) keeps the words that are only on
    that side. Each use of a word of the same family in the answer, with words of the point on both of its sides
    (three content words each), scores +1 for a word on its own side and -1 for a word on the other side. The
    answer swaps the roles when some use scores below zero and none above it: "skip-gram predicts the centre word
    from the context" for "predict context words from the center word". A relation at the start of a clause
    ("after the warmup, decay the rate") is skipped, its other side being in the next clause, and so is "per"
    without a number: "one pass per input" is also "one input per pass", while "20 tokens per parameter" is a
    rate whose reverse is another claim."""
    clause = _clause(point)
    weights = _tables().weights
    scores = []
    for i, (token, _) in enumerate(clause):
        relation = _RELATIONS.get(token)
        if relation is None:
            continue
        left, right = _sides(clause, i, 2)
        first, second = set(left) - set(right), set(right) - set(left)
        if relation[1] < 0:
            first, second = second, first
        if not first or not second:
            continue
        if relation[0] == "per" and not any(t[0] == "#" and t not in weights for t in left):
            continue
        mine = set(left) | set(right)
        for answer in said.clauses:
            for j, (word, _) in enumerate(answer):
                if _RELATIONS.get(word, ("",))[0] != relation[0]:
                    continue
                before, after = _sides(answer, j, 3)
                if not (mine & set(before) and mine & set(after)):
                    continue
                if _RELATIONS[word][1] < 0:
                    before, after = after, before
                scores.append(
                    len(first & set(before)) + len(second & set(after))
                    - len(second & set(before)) - len(first & set(after))
                )  # fmt: skip
    return bool(scores) and min(scores) < 0 and max(scores) <= 0


def _flipped(point: str, said: _Said) -> bool:
    """Whether a clause of the answer restates the point with one of its words replaced by its opposite: the
    opposite and three more of the point's words that are not weak, while no clause says the word itself with
    another of the point's words ("a big temperature makes it confident and peaky" for "low temperature gives a
    sharper, more confident distribution"). A point that says both of a pair ("quadratic for small errors, linear
    for large ones") is left alone, and so is a clause that merely contrasts two cases with fewer shared words:
    correct answers often say both directions."""
    opposites = _opposites()
    weights = _tables().weights
    wanted = frozenset(t for t, k in _clause(point) if k == 2)
    for word in wanted:
        against = opposites.get(word)
        if not against or against & wanted:
            continue
        anchors = frozenset(t for t in wanted - {word} if t not in weights)
        if len(anchors) < 3:
            continue
        if any(word in c and anchors & c for c in said.sets):
            continue
        if any(against & c and len(anchors & c) >= 3 for c in said.sets):
            return True
    return False


@lru_cache(maxsize=4096)
def _operations(text: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """The multiplications and divisions a text states: "multipl" or "divid", and the tokens of what by. Multiplying
    by a reciprocal ("by 1/T", "by the inverse temperature") is dividing."""
    out = []
    for m in _OPERATION.finditer(text.lower()):
        op, operand = m.groups()
        if _RECIPROCAL.match(operand):
            op, operand = {"multipl": "divid", "divid": "multipl"}[op], _RECIPROCAL.sub("", operand)
        units = _tables().units(operand, letters=True)
        if units:
            out.append((op, units))
    return tuple(out)


def _wrong_operation(point: str, said: _Said) -> bool:
    """Whether the answer multiplies by what the point divides by, or the reverse ("multiply the logits by the
    temperature" for "divide logits by the temperature"), and never does what the point does."""
    if "multipl" not in point.lower() and "divid" not in point.lower():
        return False
    text = said.text.lower()
    theirs = _operations(said.text) if "multipl" in text or "divid" in text else ()
    mine = _operations(point)
    for op, operand in mine:
        if any(o != op and u & operand for o, u in mine):
            continue  # "multiply the loss by S, divide the gradients by S": both ways, what by tells nothing
        if any(o == op and u & operand for o, u in theirs):
            continue
        if any(o != op and u & operand for o, u in theirs):
            return True
    return False


def _formula_differs(mine: _Formula, theirs: _Formula) -> bool:
    """Whether two formulas for one name differ in what both of them let compare."""
    _, operands, calls = mine
    _, their_operands, their_calls = theirs
    return (operands is not None and their_operands is not None and their_operands != operands) or (
        calls is not None and their_calls is not None and their_calls != calls
    )


def _wrong_formula(point: str, said: _Said) -> bool:
    """Whether every formula the answer writes for the name of the point's formula differs from it, in its named
    operands ("precision = TP/(TP+FN)" for "precision = TP / (TP + FP)") or in the functions it applies ("Swish is
    x times tanh(softplus(x))" for "Swish or SiLU = x * sigmoid(x)"). An answer that writes no formula for that
    name is left to the words."""
    for mine in _formulas(point) if "=" in point or "(" in point else ():
        theirs = [f for f in said.formulas if f[0] & mine[0]]
        if theirs and all(_formula_differs(mine, f) for f in theirs):
            return True
    return False


def _crossed(point: str, card_pairs: Sequence[_Pair], said: _Said) -> bool:
    """Whether the answer pairs the point's "A for B" the other way round from the card's other "A for B": "Xavier
    for ReLU and He for tanh" for "Xavier for tanh and sigmoid" beside "He ... for ReLU", or "linear for small
    errors" for "quadratic for small errors and linear for large errors". Only a pairing of the card's own terms
    counts, and only the words of B that no other pairing of the card has ("inputs" in "for negative inputs" and
    "for positive inputs" tells nothing)."""
    for a, b in _for_pairs((_clause(point),)) if "for" in point else ():
        others = [(x, y) for x, y in card_pairs if (x, y) != (a, b)]
        own = b - frozenset().union(*(y for _, y in others))
        rivals = [(x, y - b) for x, y in others if not x & a and y - b]
        support = crossed = False
        for a2, b2 in said.pairs:
            if a2 & a and b2 & b:
                support = True
            for x, theirs in rivals:
                if (a2 & a and b2 & theirs and not b2 & own) or (b2 & own and a2 & x):
                    crossed = True
        if crossed and not support:
            return True
    return False


@lru_cache(maxsize=1)
def _negation_words() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    stem = _tables().stem
    return tuple(frozenset(map(stem, words.split())) for words in (_NEGATORS, _HEDGES, _PRIVATIVES))  # type: ignore[return-value]


@lru_cache(maxsize=8192)
def _polarity(clause: _Clause) -> _Polarity:
    """What a clause says plainly and what it denies. A negator denies the content words right after it (up to two,
    "no special kernels"; through "or", "not for generation or streaming"), past up to three stop words ("doesn't
    need to be differentiable"), unless a hedge comes first ("not always")."""
    negators, hedges, privatives = _negation_words()
    stops = _CONJ | hedges
    plain: set[str] = set()
    denied: list[tuple[str, ...]] = []
    i = 0
    while i < len(clause):
        token, kind = clause[i]
        i += 1
        if token not in negators:
            if kind == 2:
                plain.add(token)
            continue
        j = i
        while j < len(clause) and j - i < 3 and clause[j][1] != 2 and clause[j][0] not in stops:
            j += 1
        run: list[str] = []
        while j < len(clause) and len(run) < 2:
            word, kind = clause[j]
            if kind == 2 and word not in negators and word not in hedges:
                run.append(word)
            elif not (run and word in ("or", "nor") and j + 1 < len(clause) and clause[j + 1][1] == 2):
                break
            j += 1
        if run:
            denied.append(tuple(run))
            i = j
    return frozenset(plain), tuple(denied), any(t in privatives or t in negators for t, _ in clause)


def _first_word(point: str) -> str | None:
    return next((t for t, k in _clause(point) if k == 2), None)


def _denied(point: str, said: _Said) -> bool:
    """Whether the answer says what the point denies, or denies what the point says, in the same words.

    - A point that denies something ("sigmoid is not zero-centered", "valid means no padding") is contradicted by a
      clause that says it plainly beside another of the point's words ("Sigmoid is zero-centered"), when no clause of
      the answer mentions it with a word that denies ("never exactly 0", "skip decay on biases", "unlike LN").
    - A point with a single word that is not weak ("must be differentiable", "trained by backpropagation") is
      contradicted when the answer only ever denies that word ("doesn't need to be differentiable", "not backprop").

    The point's other claims are left alone: a clause like "ReLU doesn't saturate for positive inputs" denies only
    its first words, and what an answer denies in its own words is not seen."""
    mine = [_polarity(clause) for clause in _clauses(point)]
    runs = [frozenset(run) for _, denied, _ in mine for run in denied]
    weights = _tables().weights
    stated = frozenset().union(*(plain for plain, _, _ in mine))
    strong = {t for t in stated.union(*runs) if t not in weights}
    if not runs and (len(strong) != 1 or not said.negates):
        return False  # the common case, decided without reading the answer's clauses
    theirs = said.polarities
    if runs:
        # what any clause with a denying word mentions: "never exactly 0" leaves 0 undenied but is no assertion
        doubted = {t for plain, denied, denying in theirs if denying for t in plain.union(*denied)}
        for run in runs:
            anchors = strong - run
            if run & doubted:
                continue
            if any(run <= plain and anchors & plain and not denying for plain, _, denying in theirs):
                return True
    elif len(strong) == 1 and " than " not in f" {point.lower()} ":
        (word,) = strong
        return any(run[0] == word for _, denied, _ in theirs for run in denied) and not any(
            word in plain for plain, _, _ in theirs
        )
    return False


def _names(question: str, key_points: Sequence[str]) -> frozenset[str]:
    """What a card compares: the first content word of each point that the question names too ("How do GANs and
    autoencoders differ?" with "GAN generates ..." and "autoencoder reconstructs ...")."""
    if not question:
        return frozenset()
    asked = _units(question)
    weights = _tables().weights
    return frozenset(w for w in map(_first_word, key_points) if w and w in asked and w not in weights)


def _misattributed(point: str, names: frozenset[str], said: _Said) -> bool:
    """Whether the answer says the point's claim of another of the card's names: a clause with every word of the
    claim that names another and none of the point's own ("GANs reconstruct their input through a bottleneck" for
    "autoencoder reconstructs its input through a bottleneck"), while no clause says any of the claim of the
    point's own name. The claim is the point's words that are neither weak nor names, at least two of them."""
    if len(names) < 2 or _first_word(point) not in names:
        return False
    units = _units(point)
    weights = _tables().weights
    mine, claim = names & units, {t for t in units if t not in weights and t not in names}
    rivals = names - mine
    if len(claim) < 2 or not rivals:
        return False
    if not any(c & rivals and not c & mine and claim <= c for c in said.sets):
        return False
    return not any(c & mine and c & claim for c in said.sets)


def _covered(phrasing: str, said: _Said, shared: frozenset[str]) -> bool:
    """Whether `said` covers a phrasing: at least half its tokens' weight (weak words count less, and so do words
    the card's other points share), and at least two of them unless it has only one word that is not weak; both
    words of a two-word phrasing unless the missing one is filler; and, if it states numbers, one of each (a
    point's number is its claim: "5x5" is not said by an answer about 3x3 filters)."""
    wanted = _units(phrasing)
    if not wanted:
        return False
    weights = _tables().weights
    groups = _number_groups(phrasing)
    if not all(_says_number(group, said) for group in groups):
        return False
    hits = [t for t in wanted if t in said.tokens or said.has_typo_of(t)]
    hits += [t for tokens, least in groups if least is not None for t in tokens if t not in hits]  # a bound met
    strong = sum(1 for t in wanted if t not in weights)
    if len(hits) < min(2, max(1, strong)):
        return False
    if len(wanted) == 2 and len(hits) < 2 and not wanted - set(hits) <= _filler():
        return False

    def weight(t: str) -> float:
        return weights.get(t, 1.0) * (_SHARED_WEIGHT if t in shared else 1.0)

    return sum(weights.get(t, 1.0) for t in hits) >= 1.0 and 2 * sum(map(weight, hits)) >= sum(map(weight, wanted))


def matched_points(
    typed: str,
    key_points: Sequence[str],
    alternatives: Sequence[Sequence[str]] | None = None,
    question: str = "",
) -> list[bool]:
    """For each key point, whether `typed` covers it or one of its alternative phrasings (`alternatives[i]`), and
    does not contradict it.

    A phrasing the answer contradicts (roles swapped, an opposite in its place, another formula, a crossed "A for
    B") does not count, and an answer that contradicts the point's own wording does not tick it at all."""
    if not typed.strip():
        return [False] * len(key_points)
    said = _said(typed)
    phrasings = [
        (point, *(alternatives[i] if alternatives and i < len(alternatives) else ()))
        for i, point in enumerate(key_points)
    ]
    counts = Counter(t for texts in phrasings for t in frozenset().union(*map(_units, texts)))
    shared = frozenset(t for t, n in counts.items() if n > 1)
    card_pairs = _for_pairs([_clause(point) for point in key_points])
    names = _names(question, key_points)

    def contradicted(phrasing: str) -> bool:
        return (
            _swapped(phrasing, said)
            or _flipped(phrasing, said)
            or _wrong_formula(phrasing, said)
            or _wrong_operation(phrasing, said)
            or _crossed(phrasing, card_pairs, said)
            or _denied(phrasing, said)
            or _misattributed(phrasing, names, said)
        )

    result = []
    for texts in phrasings:
        covering = [p for p in texts if _covered(p, said, shared)]
        result.append(bool(covering) and not contradicted(texts[0]) and any(not contradicted(p) for p in covering))
    return result
