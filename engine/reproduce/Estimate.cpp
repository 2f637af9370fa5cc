#include "reproduce/Estimate.h"

#include <algorithm>
#include <string>

namespace meprop::reproduce {

namespace {

// Seconds per multiply-add, single thread (measured; see the header).
constexpr double kForwardMac = 3.25e-11;   // image forward, batch 10
constexpr double kBackwardMac = 2.9e-11;   // dense linear backward (dx and dW)
constexpr double kUpdateParam = 4.2e-10;   // Adam/AdaGrad step per parameter per minibatch
constexpr double kSelectUnit = 4e-9;       // top-k selection and sparse bookkeeping per output unit and example
constexpr double kParseForwardMac = 1.7e-11;  // parser: large batches run as efficient GEMMs
constexpr double kParseBackwardMac = 3.2e-11;
constexpr double kTokensPerSentence = 16.3;   // EWT train
constexpr double kTransitionsPerSentence = 2.0 * kTokensPerSentence;

double sparseShare(const std::string& mode, double k, double width)
{
    if (mode == "dense" || width <= 0) return 1.0;
    return std::min(1.0, k / width);
}

}  // namespace

double estimateTrainSeconds(const nlohmann::json& c, long trainExamples)
{
    const std::string task = c.value("task", "image"), mode = c.value("mode", "dense");
    const double h = c.value("hidden", 500), layers = c.value("layers", 2), k = c.value("k", 20), batch = std::max(1L, c.value("batch", 10L));
    const double epochs = c.value("epochs", 1), limit = c.value("limit", 0);
    auto examples = [&](double all) { return trainExamples > 0 ? static_cast<double>(trainExamples) : limit > 0 ? std::min(limit, all) : all; };
    const bool sparse = mode != "dense";
    if (c.value("device", "cpu") == "cuda") return 10.0 + 0.0005 * examples(55000) * epochs;  // seconds: GPU runs are fast

    if (task == "pos") {
        // BiLSTM: 4 gates x h x (190 + h) per direction and token, output 2h x 49; embeddings ~1.2M parameters.
        const double lstm = 8.0 * h * (190.0 + h), out = 2.0 * h * 49.0, n = examples(12544);
        const double fwd = (lstm + out) * kTokensPerSentence * 6.2e-11;  // recurrent matrix-vector products
        const double bpDense = fwd * 1.3;
        const double bp = sparse ? bpDense * std::min(1.0, 0.05 + 5.0 * k / h) : bpDense;
        const double update = (lstm + out + 1.2e6) * 4.6e-10;  // one sentence per update
        const double evalS = 4078.0 * fwd * 0.26;              // dev + test, forward only
        return 1.0 + epochs * (n * (fwd + bp + update) + evalS);
    }
    if (task == "parse") {
        const double macs = 2400.0 * h + (layers - 1.0) * h * h + 73.0 * h, n = examples(12544) * kTransitionsPerSentence;
        const double fwd = macs * kParseForwardMac;
        const double bp = sparse ? macs * kParseBackwardMac * sparseShare(mode, k, h) + kSelectUnit * 1.9 * (h * layers + 73.0)
                                 : macs * kParseBackwardMac;
        const double update = (macs + 1.0e6) * 2.8e-10 / batch;
        const double evalS = 4078.0 * kTransitionsPerSentence * fwd * 0.73;
        return 1.0 + epochs * (n * (fwd + bp + update) + evalS);
    }
    // image: 784 -> h x layers -> 10. The hidden-to-hidden layers after the second cost about 2.7 times
    // what their multiply-adds predict (measured: 784-500x5-10 at batch 10, dropout 0.1, ~65-75 us per
    // example per extra layer, all phases alike): small-batch products and the optimizer step over
    // weights that no longer fit the cache are memory-bound.
    const double extra = std::max(0.0, layers - 2.0) * h * h;
    const double macs = 784.0 * h + std::min(layers - 1.0, 1.0) * h * h + 10.0 * h + 2.7 * extra;
    const double n = examples(60000.0 - c.value("dev_size", 5000));
    const double fwd = macs * kForwardMac * (batch >= 50 ? 0.7 : 1.0);
    const double bp = sparse ? macs * kBackwardMac * sparseShare(mode, k, h) + kSelectUnit * (h * layers + 10.0) : macs * kBackwardMac;
    const double update = macs * kUpdateParam / batch;
    const double evalS = (c.value("dev_size", 5000) + 10000.0) * macs * kForwardMac * 0.5;
    return 0.3 + epochs * (n * (fwd + bp + update) + evalS);
}

double estimateBenchSeconds(const nlohmann::json& s)
{
    const double batch = s.value("batch", 1), in = s.value("in", 500), out = s.value("out", 500), k = s.value("k", 20);
    const double reps = s.value("reps", 50);
    if (s.value("device", "cpu") == "cuda") return 2.0 + reps * 0.001;
    const double dense = 2.0 * batch * in * out * kBackwardMac, meprop = dense * std::min(1.0, k / out) + batch * out * kSelectUnit;
    return 0.1 + (reps + 3.0) * (dense + meprop) + batch * in * 4e-9;
}

}  // namespace meprop::reproduce
