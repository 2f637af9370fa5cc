#include "layers/Init.h"

#include "core/Error.h"
#include "layers/Linear.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace meprop;

namespace {

struct Moments {
    double mean = 0.0, stddev = 0.0;
};

Moments moments(const Matrix& w)
{
    const double n = static_cast<double>(w.size());
    double sum = 0.0, sq = 0.0;
    for (Eigen::Index i = 0; i < w.size(); ++i) {
        sum += w.data()[i];
        sq += static_cast<double>(w.data()[i]) * w.data()[i];
    }
    const double mean = sum / n;
    return {mean, std::sqrt(sq / n - mean * mean)};
}

// The sample standard deviation of n draws has a standard error of about sigma / sqrt(2 n) (normal;
// less for the uniform): allow five of them, and five standard errors sigma / sqrt(n) of the mean.
void expectMoments(const Matrix& w, double sigma, const char* what)
{
    const Moments m = moments(w);
    const double n = static_cast<double>(w.size());
    EXPECT_NEAR(m.stddev, sigma, 5.0 * sigma / std::sqrt(2.0 * n)) << what;
    EXPECT_NEAR(m.mean, 0.0, 5.0 * sigma / std::sqrt(n)) << what;
}

}  // namespace

TEST(Init, StandardDeviationsWithinSamplingError)
{
    // A layer of the paper's MLP: 784 inputs, 500 outputs, 392,000 weights.
    const int in = 784, out = 500;
    Rng rng(7);
    Matrix w(out, in);
    initWeights(w, Init::AuthorsNormal, in, out, rng);
    expectMoments(w, std::sqrt(6.0 / (in + out)), "authors-normal: N(0, 6 / (in + out)), std 0.0684");
    initWeights(w, Init::XavierUniform, in, out, rng);
    expectMoments(w, std::sqrt(6.0 / (in + out)) / std::sqrt(3.0), "xavier-uniform: U(-a, a), std a / sqrt(3)");
    EXPECT_LE(w.cwiseAbs().maxCoeff(), std::sqrt(6.0f / (in + out)));
    initWeights(w, Init::HeNormal, in, out, rng);
    expectMoments(w, std::sqrt(2.0 / in), "he-normal: N(0, 2 / in)");
}

TEST(Init, ALinearLayerUsesItsInitAndZeroBiases)
{
    Rng rng(3);
    const Linear layer(500, 500, rng, Init::AuthorsNormal, "hidden2");
    expectMoments(layer.weight().value, std::sqrt(6.0 / 1000.0), "hidden2");
    EXPECT_EQ(layer.bias().value.cwiseAbs().maxCoeff(), 0.0f);
}

TEST(Init, NamesRoundTripAndBadNamesAreConfigErrors)
{
    for (Init i : {Init::XavierUniform, Init::HeNormal, Init::AuthorsNormal}) EXPECT_EQ(parseInit(toString(i)), i);
    try {
        parseInit("glorot-normal", "key \"init\"");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("key \"init\": expected xavier-uniform, he-normal or authors-normal"), std::string::npos);
    }
}
