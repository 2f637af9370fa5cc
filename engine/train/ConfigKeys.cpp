#include "train/ConfigKeys.h"

#include "optim/Optimizer.h"

#include <cstdio>
#include <string>

namespace meprop {

namespace {

KeySpec intKey(std::string name, long def, double lo, double hi, std::string help, std::string tasks = "all")
{
    KeySpec k;
    k.name = std::move(name);
    k.type = KeySpec::Type::Int;
    k.defaultValue = def;
    k.min = lo;
    k.max = hi;
    k.help = std::move(help);
    k.tasks = std::move(tasks);
    return k;
}

KeySpec floatKey(std::string name, double def, double lo, double hi, std::string help, std::string tasks = "all")
{
    KeySpec k = intKey(std::move(name), 0, lo, hi, std::move(help), std::move(tasks));
    k.type = KeySpec::Type::Float;
    k.defaultValue = def;
    return k;
}

KeySpec stringKey(std::string name, std::string def, std::string help, std::string tasks = "all")
{
    KeySpec k;
    k.name = std::move(name);
    k.type = KeySpec::Type::String;
    k.defaultValue = std::move(def);
    k.help = std::move(help);
    k.tasks = std::move(tasks);
    return k;
}

KeySpec choiceKey(std::string name, std::string def, std::vector<std::string> choices, std::string help,
                  std::string tasks = "all")
{
    KeySpec k = stringKey(std::move(name), std::move(def), std::move(help), std::move(tasks));
    k.type = KeySpec::Type::Choice;
    k.choices = std::move(choices);
    return k;
}

KeySpec boolKey(std::string name, bool def, std::string help, std::string tasks = "all")
{
    KeySpec k;
    k.name = std::move(name);
    k.type = KeySpec::Type::Bool;
    k.defaultValue = def;
    k.help = std::move(help);
    k.tasks = std::move(tasks);
    return k;
}

// "1e-06" -> "1e-6": the form README.md uses.
std::string shortNumber(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    std::string s = buf;
    for (const char* pat : {"e-0", "e+0"}) {
        const auto at = s.find(pat);
        if (at != std::string::npos) s.erase(at + 2, 1);
    }
    return s;
}

std::vector<KeySpec> buildKeys()
{
    const OptimizerSettings defaults;
    constexpr double kBig = 1e9;
    return {
        choiceKey("task", "image", {"image", "pos", "parse"},
                  "image: MLP on MNIST-format images; pos: BiLSTM tagger; parse: Chen-Manning parser"),
        stringKey("data", "",
                  "data folder (image: the four MNIST-format files; pos/parse: *-train/dev/test.conllu). "
                  "Empty: found automatically"),
        stringKey("train_file", "", "CoNLL-U training file (overrides data)", "pos,parse"),
        stringKey("dev_file", "", "CoNLL-U development file (overrides data)", "pos,parse"),
        stringKey("test_file", "", "CoNLL-U test file (overrides data)", "pos,parse"),
        intKey("hidden", 500, 1, 100000, "width of each hidden layer (LSTM: per direction)"),
        intKey("layers", 2, 1, 8, "number of hidden layers (MLP and parser)", "image,parse"),
        choiceKey("mode", "topk", {"dense", "topk", "unified", "random"},
                  "backward of the linear layers: dense, per-example top-k, minibatch-unified top-k, random-k"),
        intKey("k", 20, 1, 100000, "components of each hidden layer's output gradient kept per example"),
        intKey("k_output", 0, 0, 100000, "components kept at the output layer; 0 = dense"),
        choiceKey("optimizer", "adam", {"adam", "adagrad", "sgd"},
                  "optimizer (unmodified, updates all parameters): adam b1 " + shortNumber(defaults.beta1) + ", b2 " +
                      shortNumber(defaults.beta2) + ", eps " + shortNumber(kAdamEpsilon) + "; adagrad eps " +
                      shortNumber(kAdaGradEpsilon)),
        floatKey("lr", 1e-3, 1e-9, 100.0, "learning rate"),
        choiceKey("update", "all", {"all", "touched"},
                  "optimizer rows updated each step: all (the paper) or only rows that got a gradient (lazy; Adam "
                  "bias-corrects each row by its own number of updates)"),
        floatKey("dropout", 0.0, 0.0, 0.95, "dropout rate on hidden activations (inverted dropout)"),
        intKey("batch", 10, 1, 1000000, "minibatch size (examples; pos: sentences; parse: transitions)"),
        intKey("epochs", 20, 1, 10000, "training epochs"),
        intKey("evals_per_epoch", 1, 1, 10000,
               "dev (and test) evaluations per epoch, each after an equal share of the epoch's examples; the best dev "
               "evaluation among all of them gives the reported test score (the authors' C# code: 8)"),
        intKey("seed", 1, 0, 9007199254740991.0, "random seed: fixes initialisation, shuffling, dropout, random-k"),
        intKey("threads", 1, 1, 256, "CPU threads for the dense linear algebra, the optimizer updates and the sparse backward"),
        intKey("limit", 0, 0, kBig, "use only the first N training examples (image: images; pos/parse: sentences); 0 = all"),
        intKey("dev_size", 5000, 1, kBig, "image: training images split off as the dev set (the paper: first 5,000)", "image"),
        choiceKey("device", "cpu", {"cpu", "cuda"}, "where to train"),
        intKey("word_dim", 50, 1, 10000, "word embedding size", "pos"),
        intKey("feature_dim", 20, 1, 10000, "size of each of the 7 word-feature embeddings", "pos"),
        intKey("embed_dim", 50, 1, 10000, "size of each word/POS/label feature embedding", "parse"),
        choiceKey("activation", "relu", {"relu", "cube"}, "hidden activation of the parser", "parse"),
        floatKey("embed_init", 0.01, 0.0, 100.0, "parser embeddings start uniform in [-embed_init, embed_init]", "parse"),
        boolKey("freeze_embeddings", false, "parser: keep the embeddings at their initial values (no embedding gradient)", "parse"),
        choiceKey("loss_reduction", "mean", {"mean", "sum"},
                  "gradient of the mean loss of a minibatch or of its sum (the authors' C# code: sum, B times the "
                  "mean's); metrics report the mean loss per example either way"),
        floatKey("grad_clip", 0.0, 0.0, 1e9,
                 "clip each gradient element to [-grad_clip, grad_clip] before the update; 0 = off (the authors' C# code: 5)"),
        choiceKey("bias_grad", "auto", {"auto", "sparse", "dense"},
                  "bias gradient of a meProp layer: sparse (only the kept components), dense (all, as the authors' C# "
                  "code: the bias is an addition, not part of the product meProp sparsifies); auto: image and pos "
                  "sparse, parse dense"),
        choiceKey("init", "auto", {"auto", "xavier-uniform", "he-normal", "authors-normal"},
                  "weight initialisation: xavier-uniform U(+-sqrt(6/(in+out))), he-normal N(0, 2/in), authors-normal "
                  "N(0, 6/(in+out)) (the authors' GlorotNormalInit); auto: image xavier-uniform, pos the LSTM's "
                  "U(+-1/sqrt(H)) and xavier-uniform output, parse he-normal under relu, else xavier-uniform"),
        choiceKey("adagrad_eps", "outside", {"outside", "inside"},
                  "AdaGrad step lr g / (sqrt(h) + eps) (outside) or lr g / sqrt(h + eps) (inside, the authors' C# code)"),
    };
}

}  // namespace

const std::vector<KeySpec>& configKeys()
{
    static const std::vector<KeySpec> keys = buildKeys();
    return keys;
}

const std::vector<LegacyKey>& legacyKeys()
{
    static const std::vector<LegacyKey> keys = {
        {"sparse_bias", "bias_grad", "sparse", "auto"},
        {"sum_loss", "loss_reduction", "sum", "mean"},
    };
    return keys;
}

const LegacyKey* findLegacyKey(const std::string& name)
{
    for (const LegacyKey& k : legacyKeys())
        if (k.name == name) return &k;
    return nullptr;
}

const KeySpec* findKey(const std::string& name)
{
    for (const KeySpec& k : configKeys())
        if (k.name == name) return &k;
    return nullptr;
}

const char* typeName(KeySpec::Type type)
{
    switch (type) {
    case KeySpec::Type::Int: return "integer";
    case KeySpec::Type::Float: return "number";
    case KeySpec::Type::String: return "string";
    case KeySpec::Type::Choice: return "choice";
    case KeySpec::Type::Bool: return "boolean";
    }
    return "?";
}

}  // namespace meprop
