// Trains an image configuration exactly as `meprop train` does (the same Rng sequence as Trainer
// and ImageTask: the same run, minibatch for minibatch) and reports, for each evaluation chunk, the
// mean training loss two ways:
//   exact    meprop's metrics.csv: log-sum-exp, -log softmax(logits)[gold] per example
//   authors  as the authors' C# code logs it (Flow.SoftmaxWithCrossEntropy): the softmax in float32,
//            and an example whose gold probability is 0 in float32 adds nothing to the loss
// and the share of examples whose gold probability underflowed. This tells whether a difference in
// the two implementations' logged training losses is one of training or of reporting.
//
// usage: meprop_authors_loss PRESET|CONFIG.json [key=value ...]
// prints CSV: epoch,exact_loss,authors_loss,underflow_share
#include "core/Error.h"
#include "data/DataFolders.h"
#include "data/Mnist.h"
#include "models/Mlp.h"
#include "optim/Optimizer.h"
#include "train/Config.h"
#include "train/Presets.h"
#include "train/TrainingDetails.h"

#include <Eigen/Core>

#include <cmath>
#include <cstdio>
#include <exception>
#include <numeric>
#include <string>
#include <vector>

using namespace meprop;

namespace {

// The C# formula on one row of logits: p = exp(l - max) / sum in float; -log p[gold] when p > 0.
double authorsLoss(const Eigen::Ref<const RowVector>& logits, int gold, bool* underflow)
{
    const float mx = logits.maxCoeff();
    float sum = 0.0f;
    RowVector p(logits.size());
    for (Eigen::Index j = 0; j < logits.size(); ++j) {
        p(j) = std::exp(logits(j) - mx);
        sum += p(j);
    }
    const float pg = p(gold) / sum;
    *underflow = !(pg > 0.0f);
    return *underflow ? 0.0 : -std::log(static_cast<double>(pg));
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: meprop_authors_loss PRESET|CONFIG.json [key=value ...]\n");
        return 2;
    }
    try {
        const std::string source = argv[1];
        Config c = source.size() > 5 && source.ends_with(".json") ? Config::fromFile(source)
                                                                   : Config::fromJson(findPreset(source).values, "preset " + source);
        for (int i = 2; i < argc; ++i) {
            const std::string kv = argv[i];
            const auto eq = kv.find('=');
            if (eq == std::string::npos) throw ConfigError(kv + ": expected key=value");
            c.setFromString(kv.substr(0, eq), kv.substr(eq + 1));
        }
        c.validate();
        if (c.task() != "image") throw ConfigError("key \"task\": only the image task");
        Eigen::setNbThreads(static_cast<int>(c.getInt("threads")));

        // As Trainer::run and ImageTask: one Rng, the model drawn from it, then one shuffle per epoch.
        Rng rng(c.seed());
        std::string dir = c.getString("data");
        if (dir.empty()) dir = defaultImageDataDir();
        const MnistData data = loadMnist(dir, c.getInt("limit"), c.getInt("dev_size"));
        MlpSpec spec;
        spec.input = static_cast<int>(data.train.images.cols());
        spec.hidden = static_cast<int>(c.getInt("hidden"));
        spec.layers = static_cast<int>(c.getInt("layers"));
        spec.classes = data.train.classes;
        spec.dropout = static_cast<float>(c.getFloat("dropout"));
        spec.mode = c.mode();
        spec.k = static_cast<int>(c.getInt("k"));
        spec.kOutput = static_cast<int>(c.getInt("k_output"));
        spec.init = weightInit(c).value_or(Init::XavierUniform);
        spec.sumLoss = sumLoss(c);
        spec.denseBias = denseBias(c, false);
        Mlp model(spec, rng);
        auto optimizer = makeOptimizer(optimizerSettings(c));
        optimizer->attach(model.parameters());
        const long n = data.train.size(), batch = c.getInt("batch");
        const int epochs = static_cast<int>(c.getInt("epochs")), evals = static_cast<int>(c.getInt("evals_per_epoch"));
        std::vector<long> order(static_cast<std::size_t>(n));
        std::iota(order.begin(), order.end(), 0L);
        Tensor x;
        std::vector<int> y;
        std::printf("epoch,exact_loss,authors_loss,underflow_share\n");
        for (int epoch = 1; epoch <= epochs; ++epoch) {
            rng.shuffle(order);
            long chunkBegin = 0;
            for (int chunk = 0; chunk < evals; ++chunk) {
                const long chunkEnd = chunkBegin + n / evals + (chunk < n % evals ? 1 : 0);
                double exact = 0.0, theirs = 0.0;
                long under = 0;
                for (long begin = chunkBegin; begin < chunkEnd; begin += batch) {
                    const long end = std::min(chunkEnd, begin + batch), b = end - begin;
                    x.resize(b, data.train.images.cols());
                    y.resize(static_cast<std::size_t>(b));
                    for (long i = 0; i < b; ++i) {
                        const long idx = order[static_cast<std::size_t>(begin + i)];
                        x.row(i) = data.train.images.row(idx);
                        y[static_cast<std::size_t>(i)] = data.train.labels[static_cast<std::size_t>(idx)];
                    }
                    const Matrix& logits = model.forward(x, true, rng);
                    for (long i = 0; i < b; ++i) {
                        bool u = false;
                        theirs += authorsLoss(logits.row(i), y[static_cast<std::size_t>(i)], &u);
                        under += u;
                    }
                    exact += model.lossAndBackward(y.data(), b, true, rng, nullptr) * static_cast<double>(b);
                    optimizer->stepAndZeroGrad();
                }
                const double m = static_cast<double>(chunkEnd - chunkBegin);
                std::printf("%.8g,%.8g,%.8g,%.6g\n", epoch - 1 + static_cast<double>(chunk + 1) / evals, exact / m, theirs / m,
                            static_cast<double>(under) / m);
                std::fflush(stdout);
                chunkBegin = chunkEnd;
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "meprop_authors_loss: %s\n", e.what());
        return 2;
    }
    return 0;
}
