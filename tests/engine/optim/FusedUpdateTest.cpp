// The fused optimizer updates (optim/UpdateKernels.h) against a straightforward reference written
// here, element by element in float, over many steps of dense and row-sparse gradients, for every
// optimizer and option (clip, AdaGrad's eps inside, Adam lazy, clearing the gradient in the pass);
// and threads=1 against threads=2, which must agree bit for bit.
#include "optim/Optimizer.h"
#include "optim/UpdateKernels.h"

#include "core/Parallel.h"
#include "core/Rng.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

using namespace meprop;

namespace {

struct Case {
    std::string kind;
    bool lazy = false;
    float clip = 0.0f;
    bool epsInside = false;
    bool zeroGrad = false;

    std::string label() const
    {
        return kind + (lazy ? " lazy" : "") + (clip > 0 ? " clip" : "") + (epsInside ? " eps-inside" : "") + (zeroGrad ? " zero" : " keep");
    }
    OptimizerSettings settings() const
    {
        OptimizerSettings s{kind, kind == "adagrad" ? 0.05f : 0.01f};
        s.touchedRowsOnly = lazy;
        s.clip = clip;
        s.adagradEpsInside = epsInside;
        return s;
    }
};

std::vector<Case> allCases()
{
    std::vector<Case> cases;
    for (bool zero : {false, true})
        for (float clip : {0.0f, 0.3f}) {
            cases.push_back({"sgd", false, clip, false, zero});
            cases.push_back({"adagrad", false, clip, false, zero});
            cases.push_back({"adagrad", false, clip, true, zero});
            cases.push_back({"adam", false, clip, false, zero});
            cases.push_back({"adam", true, clip, false, zero});
        }
    return cases;
}

// The reference: the textbook formulas, one element at a time.
struct Reference {
    OptimizerSettings s;
    Matrix w, a, b;  // a: AdaGrad h / Adam m; b: Adam v
    std::vector<long> rowT;
    long t = 0;

    Reference(const OptimizerSettings& settings, const Matrix& w0)
        : s(settings), w(w0), a(Matrix::Zero(w0.rows(), w0.cols())), b(a), rowT(static_cast<std::size_t>(w0.rows()), 0)
    {
    }

    // g: the gradient as handed to the optimizer; rows: its row list (nullptr: dense).
    void step(const Matrix& g, const std::vector<int>* rows)
    {
        ++t;
        std::vector<int> update;
        const bool everyRow = !rows || (s.kind == "adam" && !s.touchedRowsOnly);
        if (everyRow)
            for (int r = 0; r < w.rows(); ++r) update.push_back(r);
        else
            update = *rows;
        const float eps = epsilon(s);
        for (int r : update) {
            const long tr = s.touchedRowsOnly ? ++rowT[static_cast<std::size_t>(r)] : t;
            const float stepSize = s.lr / (1.0f - static_cast<float>(std::pow(static_cast<double>(s.beta1), static_cast<double>(tr))));
            const float invSqrtC2 = 1.0f / std::sqrt(1.0f - static_cast<float>(std::pow(static_cast<double>(s.beta2), static_cast<double>(tr))));
            for (int c = 0; c < w.cols(); ++c) {
                float gi = g(r, c);
                if (s.clip > 0.0f) gi = std::min(std::max(gi, -s.clip), s.clip);
                if (s.kind == "sgd") {
                    w(r, c) -= s.lr * gi;
                } else if (s.kind == "adagrad") {
                    a(r, c) += gi * gi;
                    w(r, c) -= s.adagradEpsInside ? s.lr * gi / std::sqrt(a(r, c) + eps) : s.lr * gi / (std::sqrt(a(r, c)) + eps);
                } else {
                    a(r, c) = s.beta1 * a(r, c) + (1.0f - s.beta1) * gi;
                    b(r, c) = s.beta2 * b(r, c) + (1.0f - s.beta2) * gi * gi;
                    w(r, c) -= stepSize * a(r, c) / (std::sqrt(b(r, c)) * invSqrtC2 + eps);
                }
            }
        }
    }
};

// |x - y| in units of float's epsilon at max(|y|, 1): the weights are of order 1, and a weight
// that passes close to zero would make a count of ulps of x itself meaningless.
double epsilons(float x, float y)
{
    return std::abs(static_cast<double>(x) - static_cast<double>(y)) / (std::max(1.0, std::abs(static_cast<double>(y))) * FLT_EPSILON);
}

// Fills p.grad for step `step`: dense on every third step, otherwise a few rows (a different set
// each step, some rows never), with values large enough that clipping bites.
std::vector<int> fillGradient(Parameter& p, int step, Rng& rng)
{
    p.zeroGrad();
    std::vector<int> rows;
    if (step % 3 == 0) {
        for (Eigen::Index i = 0; i < p.grad.size(); ++i) p.grad.data()[i] = rng.uniform(-1.0f, 1.0f);
        p.touchAll();
        return rows;
    }
    for (int r = step % 4; r < p.grad.rows() - 1; r += 2 + step % 3) {
        for (int c = 0; c < p.grad.cols(); ++c) p.grad(r, c) = rng.uniform(-1.0f, 1.0f);
        p.touchRow(r);
        rows.push_back(r);
    }
    return rows;
}

// Runs `steps` steps of case c on a rows x cols parameter with `threads` threads; returns the
// parameter's values after each step.
std::vector<Matrix> run(const Case& c, int rows, int cols, int steps, int threads)
{
    const int saved = Eigen::nbThreads();
    Eigen::setNbThreads(threads);
    Rng rng(11);
    Parameter p("w", rows, cols);
    for (Eigen::Index i = 0; i < p.value.size(); ++i) p.value.data()[i] = rng.uniform(-1.0f, 1.0f);
    Reference ref(c.settings(), p.value);
    auto opt = makeOptimizer(c.settings());
    opt->attach({&p});
    std::vector<Matrix> out;
    double worst = 0.0;
    for (int step = 0; step < steps; ++step) {
        const std::vector<int> touched = fillGradient(p, step, rng);
        const bool dense = !p.rowSparse;
        Matrix expectGrad = p.grad;
        if (c.clip > 0) expectGrad = expectGrad.cwiseMax(-c.clip).cwiseMin(c.clip);
        ref.step(p.grad, dense ? nullptr : &touched);
        if (c.zeroGrad)
            opt->stepAndZeroGrad();
        else
            opt->step();
        for (Eigen::Index i = 0; i < p.value.size(); ++i) worst = std::max(worst, epsilons(p.value.data()[i], ref.w.data()[i]));
        if (c.zeroGrad) {
            EXPECT_EQ(p.grad.cwiseAbs().maxCoeff(), 0.0f) << c.label() << " step " << step;
            EXPECT_TRUE(p.rowSparse && p.rows.empty()) << c.label();
            EXPECT_TRUE(std::all_of(p.rowMark.begin(), p.rowMark.end(), [](char m) { return m == 0; })) << c.label();
        } else {
            EXPECT_TRUE(p.grad == expectGrad) << c.label() << ": the gradient is left as it was (clipped with clip > 0)";
        }
        out.push_back(p.value);
    }
    // The fused kernels run in the engine's (possibly FMA-contracted) build, the reference in the
    // test's, and Eigen's vectorised square root is not std::sqrt to the last bit: they differ
    // by rounding, measured at most 2 epsilons after 40 steps.
    EXPECT_LE(worst, 4.0) << c.label() << ": largest difference from the reference, in float epsilons";
    Eigen::setNbThreads(saved);
    return out;
}

}  // namespace

TEST(FusedUpdate, EqualsTheReferenceForEveryOptimizerAndOption)
{
    // 37 x 301: several chunks of the dense pass and a tail; rows of 301 are not a multiple of 8.
    for (const Case& c : allCases()) run(c, 37, 301, 40, 1);
}

TEST(FusedUpdate, TwoThreadsGiveTheSameBitsAsOne)
{
    // Large enough that both the dense chunks and the row lists are split between two threads.
    Eigen::setNbThreads(2);
    ASSERT_EQ(engineThreads(), 2);
    for (const Case& c : allCases()) {
        const std::vector<Matrix> one = run(c, 300, 301, 6, 1);
        const std::vector<Matrix> two = run(c, 300, 301, 6, 2);
        for (std::size_t s = 0; s < one.size(); ++s) EXPECT_TRUE(one[s] == two[s]) << c.label() << " step " << s;
    }
}

TEST(FusedUpdate, ClearingTheGradientInThePassEqualsZeroGradAfterwards)
{
    for (const Case& c : allCases()) {
        if (c.zeroGrad) continue;
        Case z = c;
        z.zeroGrad = true;
        const std::vector<Matrix> keep = run(c, 37, 301, 9, 1);
        const std::vector<Matrix> zero = run(z, 37, 301, 9, 1);
        for (std::size_t s = 0; s < keep.size(); ++s) EXPECT_TRUE(keep[s] == zero[s]) << c.label() << " step " << s;
    }
}

// Adam's pass takes and leaves subnormal floats as zero (optim/UpdateKernels.h) and gives the
// caller its floating-point mode back: arithmetic after the pass keeps its subnormals.
TEST(FusedUpdate, AdamFlushesSubnormalMomentsAndRestoresTheCallersMode)
{
    const long n = 21;  // two blocks of 8 and a tail of 5
    const AdamStep step = adamStep(0.01f, 0.9f, 0.999f, kAdamEpsilon, 1000);
    std::vector<float> w(n, 0.5f), g(n, 0.0f), m(n, FLT_MIN * 0.75f), v(n, FLT_MIN * 0.5f);
    m[3] = 2.0f * FLT_MIN;  // normal: decays to 1.8 FLT_MIN, normal again
    g[4] = 1e-3f;           // a normal gradient on a subnormal m: m = (1 - b1) g, as from zero
    adamUpdate(w.data(), g.data(), m.data(), v.data(), n, step, GradHandling{0.0f, true});
    for (long i = 0; i < n; ++i) {
        if (i == 3) {
            EXPECT_EQ(m[i], 0.9f * 2.0f * FLT_MIN);
        } else if (i == 4) {
            EXPECT_EQ(m[i], (1.0f - 0.9f) * 1e-3f) << "the subnormal m was taken as 0";
            EXPECT_GT(v[i], 0.0f);
        } else {
            EXPECT_EQ(m[i], 0.0f) << i << ": 0.9 m is subnormal, stored as 0";
            EXPECT_EQ(v[i], 0.0f) << i << ": 0.999 v is subnormal, stored as 0";
            EXPECT_EQ(w[i], 0.5f) << i;
        }
        EXPECT_EQ(g[i], 0.0f);
    }
    volatile float tiny = FLT_MIN;
    const float half = tiny / 2.0f;  // subnormal, unless the pass left flush-to-zero on
    EXPECT_GT(half, 0.0f) << "the caller's floating-point mode after the pass";
}
