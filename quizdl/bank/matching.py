"""Which key points a typed answer covers: lexical matching after normalising the field's vocabulary.

The answer and each key point go through the same steps: lower case; accents, Greek letters and comparison
signs spelled out; a hyphenated prefix joined to its word ("over-confident" is "overconfident"); the field's terms
and abbreviations rewritten to one token each ("learning rate" and "lr" become `lr`, "blows up" becomes
`explode`); British spellings folded; numbers in their usual spellings read as values (0.25, 1/4, 25% and "a
quarter" are one token); stop words dropped; the rest stemmed with the Snowball English stemmer, and groups of
same-meaning words merged. The answer alone then gains the textbook terms its paraphrases imply (`_IDIOMS`: "the
same filter is slid over the image" says `weight sharing`) and the broader terms its names imply (`_IMPLIES`). A
point is ticked when the answer covers enough of what is left of it (`_covered`), or of one of its alternative
phrasings (`also:` in the bank); a misspelt word (one letter off) still counts.

Pure and offline. The tables are compiled and the stemmer built on first use, so importing this module is cheap.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

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
             "stuck outputting #0|stuck off|dead|die|disable|deactivate|deactivated"),
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
    "sharpen sharp peaky peakier peaked",
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
        "∞": " infinity ",
    }
)  # fmt: skip
_DIGITS = str.maketrans("0123456789.-+", "abcdefghijpmq")
# Prefixes whose hyphenated and joined spellings are one word ("pre-trained", "pretrained").
_PREFIXES = "over|under|non|pre|post|sub|co|re|un|semi|auto|de|anti|mis|inter|intra|hyper"


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
        self.ratio = re.compile(r"(?<![\w./])(\d+)/(\d+)(?![\w./(])")
        self.times = re.compile(r"(?<![\w.])(\d*\.?\d+)x\b")
        self.plain = re.compile(r"(?<![\w.])(\d*\.\d+|\d+)(?![\w]|\.\d)")
        self.absolute = re.compile(r"\|([^|\s]{1,12})\|")  # |w| is the absolute value of w
        self.negation = re.compile(r"n't\b")
        self.natural_log = re.compile(r"\bln(?=\()")
        self.signs = re.compile(r">=|<=|!=|\bw/o\b|\bw/(?=\s)|&")
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
        text = self.percent.sub(lambda m: _num(_THIRDS.get(m.group(1)) or float(m.group(1)) / 100), text)
        text = self.ratio.sub(lambda m: _num(int(m.group(1)) / max(1, int(m.group(2)))), text)
        text = self.times.sub(lambda m: _num(float(m.group(1))) + "time ", text)
        return self.plain.sub(lambda m: _num(float(m.group(1))), text)

    def words_of(self, text: str) -> list[str]:
        """Lower-cased words and number tokens, with spellings folded."""
        text = text.lower().translate(_UNICODE)
        if not text.isascii():  # "Fréchet" is "frechet"
            text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        if self.has_sign.search(text):  # the rarer patterns only run when their characters occur
            text = self.signs.sub(lambda m: _SIGNS[m.group(0)], text)
            text = self.absolute.sub(r" absolute \1 ", text)
        if "'" in text:
            text = self.negation.sub(" not", text)
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


_SIGNS = {">=": " geq ", "<=": " leq ", "!=": " neq ", "w/o": " without ", "w/": " with ", "&": " and "}


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


class _Said:
    """An answer's tokens, plus the terms its paraphrases and names imply, and its one-letter-typo index."""

    __slots__ = ("deleted", "tokens", "typos")

    def __init__(self, text: str) -> None:
        tables = _tables()
        seq, kinds = tables.sequence(text)
        units = {t for t, k in zip(seq, kinds, strict=True) if k}
        units |= tables.idiom_terms(seq)
        units.update(*(tables.implies[u] for u in list(units) if u in tables.implies))
        self.tokens = frozenset(units)
        long = [t for t in self.tokens if len(t) >= 6 and t.isalpha()]
        self.deleted = {d for t in long for d in _deletions(t)}  # what a said token is with a letter left out
        self.typos: dict[str, bool] = {}

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


def _covered(wanted: frozenset[str], said: _Said) -> bool:
    """Whether `said` covers a point's tokens `wanted`: at least half their weight (weak words count less), and
    at least two of them unless the point has only one word that is not weak."""
    if not wanted:
        return False
    weights = _tables().weights
    hits = [t for t in wanted if t in said.tokens or said.has_typo_of(t)]
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
