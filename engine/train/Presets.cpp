#include "train/Presets.h"

#include "core/Error.h"

namespace meprop {

namespace {

using nlohmann::json;

std::vector<Preset> buildPresets()
{
    // The image presets run on any MNIST-format folder (`data`); empty data finds Fashion-MNIST.
    const json mlp = {{"task", "image"}, {"hidden", 500}, {"layers", 2}, {"optimizer", "adam"}, {"lr", 1e-3},
                      {"batch", 10},     {"epochs", 20},  {"mode", "topk"}, {"k", 20}};
    auto with = [](json base, const json& over) {
        for (auto it = over.begin(); it != over.end(); ++it) base[it.key()] = it.value();
        return base;
    };
    std::vector<Preset> p = {
        {"image", "Fashion-MNIST MLP 2x500, Adam 1e-3, batch 10, top-k k=20, 20 epochs (the default experiment)", mlp},
        {"image-dense", "as image, dense back propagation (the baseline)", with(mlp, {{"mode", "dense"}})},
        {"image-unified", "as image, unified top-k shared by the minibatch (the paper's GPU method)", with(mlp, {{"mode", "unified"}})},
        {"image-random", "as image, random k=20 (the paper's control)", with(mlp, {{"mode", "random"}})},
        {"table1-mnist-adam-dense", "Table 1 MNIST (Adam): MLP h=500, dense", with(mlp, {{"mode", "dense"}})},
        {"table1-mnist-adam-k20", "Table 1 MNIST (Adam): meProp k=20 (paper: 98.01 vs 97.82, BP 21.4x)", with(mlp, {{"k", 20}})},
        {"table1-mnist-adagrad-dense", "Table 1 MNIST (AdaGrad lr 0.1): MLP h=500, dense",
         with(mlp, {{"mode", "dense"}, {"optimizer", "adagrad"}, {"lr", 0.1}})},
        {"table1-mnist-adagrad-k10", "Table 1 MNIST (AdaGrad lr 0.1): meProp k=10 (paper: 98.00 vs 97.52, BP 41.7x)",
         with(mlp, {{"k", 10}, {"optimizer", "adagrad"}, {"lr", 0.1}})},
        {"table3-mnist-h20", "Table 3 MNIST: dense MLP with hidden 20 (paper: 95.77)", with(mlp, {{"mode", "dense"}, {"hidden", 20}})},
        {"table4-mnist-dropout-dense", "Table 4 MNIST: dense, dropout 0.2 (paper: 98.09)", with(mlp, {{"mode", "dense"}, {"dropout", 0.2}})},
        {"table4-mnist-dropout-k25", "Table 4 MNIST: meProp k=25, dropout 0.2 (paper: 98.32)",
         with(mlp, {{"k", 25}, {"dropout", 0.2}})},
        {"table6-unified-l2", "Table 6: unified top-k k=30, 2 layers, batch 50 (paper: 98.08 vs 97.97)",
         with(mlp, {{"mode", "unified"}, {"k", 30}, {"batch", 50}})},
        {"table6-unified-l5", "Table 6: unified top-k k=50, 5 layers, batch 50 (paper: 98.36 vs 98.09)",
         with(mlp, {{"mode", "unified"}, {"k", 50}, {"batch", 50}, {"layers", 5}})},
    };
    // The authors' C# MNIST code (lancopku/meProp, src/csharp/nnmnist; see docs/authors-code.md):
    // the gradient of the summed batch loss, every gradient element clipped to [-5, 5], dense bias
    // gradients in the top-k layers, a dense output layer, weights N(0, 6/(in+out)), AdaGrad's eps
    // inside the square root, the dev set evaluated 8 times per epoch. Their Adam always uses lr 0.001.
    const json authors = with(mlp, {{"loss_reduction", "sum"},
                                    {"grad_clip", 5.0},
                                    {"bias_grad", "dense"},
                                    {"init", "authors-normal"},
                                    {"adagrad_eps", "inside"},
                                    {"evals_per_epoch", 8},
                                    {"k_output", 0}});
    const json authorsAdagrad = with(authors, {{"optimizer", "adagrad"}, {"lr", 0.1}});
    const json authorsDefault = with(authors, {{"batch", 100}, {"k", 160}});
    p.insert(p.end(), {
        {"authors-mnist-adam-k20", "Table 1 MNIST (Adam) with every training detail of the authors' C# code: meProp k=20, batch 10",
         with(authors, {{"k", 20}})},
        {"authors-mnist-adam-dense", "as authors-mnist-adam-k20, dense back propagation", with(authors, {{"mode", "dense"}})},
        {"authors-mnist-adagrad-k10", "Table 1 MNIST (AdaGrad lr 0.1) with the authors' training details: meProp k=10, batch 10",
         with(authorsAdagrad, {{"k", 10}})},
        {"authors-mnist-adagrad-dense", "as authors-mnist-adagrad-k10, dense back propagation", with(authorsAdagrad, {{"mode", "dense"}})},
        {"authors-default", "the authors' default.json with top-k (their mlptop): Adam, batch 100, k=160, 8 evaluations per epoch",
         authorsDefault},
        {"authors-default-dense", "the authors' default.json as shipped (their NetType mlp, dense): Adam, batch 100",
         with(authorsDefault, {{"mode", "dense"}})},
    });
    // Parsing (Chen & Manning MLP on UD English EWT, see README "Parsing"): the paper's setting is
    // 2 x 500 ReLU, 48 x 50 embeddings, batch 10,000 transitions, AdaGrad 0.01 or Adam 1e-3, and the
    // same k for the hidden and output layers (k = k_output = 20).
    const json parse = {{"task", "parse"}, {"hidden", 500},  {"layers", 2},     {"activation", "relu"}, {"embed_dim", 50},
                        {"batch", 10000},  {"epochs", 15},   {"optimizer", "adagrad"}, {"lr", 0.01},
                        {"mode", "topk"},  {"k", 20},        {"k_output", 20}};
    const json adam = {{"optimizer", "adam"}, {"lr", 1e-3}};
    const std::vector<Preset> parsing = {
        {"parse", "EWT parser, the paper's Table 1 setting: AdaGrad 0.01, batch 10,000, top-k k=k_output=20", parse},
        {"parse-dense", "as parse, dense back propagation (the baseline)", with(parse, {{"mode", "dense"}})},
        {"parse-unified", "as parse, unified top-k shared by the minibatch", with(parse, {{"mode", "unified"}})},
        {"parse-random", "as parse, random k=20 (the paper's control)", with(parse, {{"mode", "random"}})},
        {"parse-short", "quick check: 3,000 EWT sentences, 3 epochs, batch 1000, AdaGrad 0.01, dense (>= 65 test UAS)",
         with(parse, {{"mode", "dense"}, {"limit", 3000}, {"epochs", 3}, {"batch", 1000}})},
        {"table1-parse-adagrad", "Table 1 Parsing (AdaGrad 0.01): meProp k=20 (paper: 88.95 vs 88.92 UAS, BP 18.1x)", parse},
        {"table1-parse-adagrad-dense", "Table 1 Parsing (AdaGrad 0.01): MLP h=500, dense (paper: 88.92)", with(parse, {{"mode", "dense"}})},
        {"table1-parse-adam", "Table 1 Parsing (Adam 1e-3): meProp k=20 (paper: 90.01 vs 89.84 UAS, BP 18.6x)", with(parse, adam)},
        {"table1-parse-adam-dense", "Table 1 Parsing (Adam 1e-3): MLP h=500, dense (paper: 89.84)",
         with(with(parse, adam), {{"mode", "dense"}})},
        {"table3-parse-h20", "Table 3 Parsing (Adam): dense MLP with hidden 20 (paper: 88.37)",
         with(with(parse, adam), {{"mode", "dense"}, {"hidden", 20}})},
        {"table4-parse-dropout", "Table 4 Parsing (Adam, dropout 0.5): meProp k=40 (paper: 91.99)",
         with(with(parse, adam), {{"k", 40}, {"k_output", 40}, {"dropout", 0.5}})},
        {"table4-parse-dropout-dense", "Table 4 Parsing (Adam, dropout 0.5): dense (paper: 91.53)",
         with(with(parse, adam), {{"mode", "dense"}, {"dropout", 0.5}})},
    };
    p.insert(p.end(), parsing.begin(), parsing.end());
    // POS tagging: BiLSTM h=500 per direction on UD English EWT (`data` empty finds it), one sentence
    // per update, k per gate block (k=5 keeps 1 %), dense output layer as in the paper.
    const json pos = {{"task", "pos"}, {"hidden", 500}, {"optimizer", "adam"}, {"lr", 1e-3}, {"batch", 1},
                      {"epochs", 5},   {"mode", "topk"}, {"k", 5},             {"k_output", 0}};
    const json posAdagrad = with(pos, {{"optimizer", "adagrad"}, {"lr", 0.01}});
    p.insert(p.end(), {
        {"pos", "EWT BiLSTM tagger h=500, Adam 1e-3, one sentence per update, top-k k=5 per gate block, 5 epochs", pos},
        {"pos-dense", "as pos, dense back propagation (the baseline)", with(pos, {{"mode", "dense"}})},
        {"pos-random", "as pos, random k=5 per gate block (the paper's control)", with(pos, {{"mode", "random"}})},
        {"pos-unified", "as pos, one top-k set per sentence shared by its time steps", with(pos, {{"mode", "unified"}})},
        {"pos-short", "as pos on the first 3,000 training sentences, 1 epoch (a few minutes)",
         with(pos, {{"limit", 3000}, {"epochs", 1}})},
        {"table1-pos-adam-dense", "Table 1 POS (Adam): LSTM h=500, dense (paper: 97.07)", with(pos, {{"mode", "dense"}})},
        {"table1-pos-adam-k5", "Table 1 POS (Adam): meProp k=5 (paper: 97.12, BP 65.4x)", pos},
        {"table1-pos-adagrad-dense", "Table 1 POS (AdaGrad lr 0.01): LSTM h=500, dense (paper: 96.93)",
         with(posAdagrad, {{"mode", "dense"}})},
        {"table1-pos-adagrad-k5", "Table 1 POS (AdaGrad lr 0.01): meProp k=5 (paper: 97.25, BP 69.2x)", posAdagrad},
        {"table3-pos-h5", "Table 3 POS: dense LSTM with hidden 5 (paper: 96.40 vs meProp k=5 97.12)",
         with(pos, {{"mode", "dense"}, {"hidden", 5}, {"epochs", 10}})},
        {"table4-pos-dropout-dense", "Table 4 POS: dense LSTM h=500, dropout 0.5 (paper: 97.20)",
         with(pos, {{"mode", "dense"}, {"dropout", 0.5}})},
        {"table4-pos-dropout-k20", "Table 4 POS: meProp k=20, dropout 0.5 (paper: 97.31)", with(pos, {{"k", 20}, {"dropout", 0.5}})},
    });
    for (int layers = 2; layers <= 5; ++layers) {
        const std::string n = std::to_string(layers);
        p.push_back({"table5-mnist-l" + n + "-dense", "Table 5: " + n + " hidden layers, dense, dropout 0.1",
                     with(mlp, {{"mode", "dense"}, {"layers", layers}, {"dropout", 0.1}})});
        p.push_back({"table5-mnist-l" + n + "-k25", "Table 5: " + n + " hidden layers, meProp k=25, dropout 0.1",
                     with(mlp, {{"k", 25}, {"layers", layers}, {"dropout", 0.1}})});
    }
    return p;
}

}  // namespace

const std::vector<Preset>& presets()
{
    static const std::vector<Preset> all = buildPresets();
    return all;
}

const Preset& findPreset(const std::string& name)
{
    for (const Preset& p : presets())
        if (p.name == name) return p;
    std::string names;
    for (const Preset& p : presets()) names += (names.empty() ? "" : ", ") + p.name;
    throw ConfigError("unknown preset " + quote(name) + " (known: " + names + ")");
}

}  // namespace meprop
