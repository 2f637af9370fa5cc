#include "cuda/TopK.cuh"

#include "CudaTestSupport.h"
#include "ops/TopK.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace meprop;
using test::dyadicMatrix;
using test::randomMatrix;

namespace {

std::vector<int> cpuPerRow(const Matrix& v, int k)
{
    std::vector<int> out(static_cast<std::size_t>(v.rows()) * k), scratch;
    for (Eigen::Index b = 0; b < v.rows(); ++b) topKIndices(v.row(b).data(), static_cast<int>(v.cols()), k, out.data() + b * k, scratch);
    return out;
}

std::vector<int> gpuPerRow(const Matrix& v, int k, const cuda::Context& ctx)
{
    auto dv = test::toDevice(v, ctx);
    cuda::DeviceBuffer<int> out(static_cast<std::size_t>(v.rows()) * k);
    cuda::topKRows(dv.data(), static_cast<int>(v.rows()), static_cast<int>(v.cols()), static_cast<int>(v.cols()), k, out.data(),
                   ctx.stream());
    return out.download(ctx.stream());
}

}  // namespace

TEST(CudaTopK, PerRowMatchesCpuAcrossSizes)
{
    MEPROP_REQUIRE_GPU();
    cuda::Context ctx;
    Rng rng(11);
    // 20000 > the shared-memory limit: exercises the global-memory path too.
    for (int n : {1, 2, 7, 100, 1000, 8192, 20000}) {
        for (int k : {1, 2, 5, 31, 64, 500, n}) {
            if (k > n) continue;
            const Matrix v = randomMatrix(9, n, rng);
            EXPECT_EQ(gpuPerRow(v, k, ctx), cpuPerRow(v, k)) << "n=" << n << " k=" << k;
        }
    }
}

TEST(CudaTopK, TiesAreBrokenTowardsTheLowerIndexLikeTheCpu)
{
    MEPROP_REQUIRE_GPU();
    cuda::Context ctx;
    Rng rng(12);
    // Few distinct magnitudes and both signs: most of each row ties with the k-th element.
    Matrix v(16, 3000);
    const float levels[] = {0.0f, 0.25f, -0.25f, 0.5f, -0.5f, 1.0f, -1.0f};
    for (Eigen::Index i = 0; i < v.size(); ++i) v.data()[i] = levels[rng.below(7)];
    for (int k : {1, 10, 700, 1500, 2999}) EXPECT_EQ(gpuPerRow(v, k, ctx), cpuPerRow(v, k)) << "k=" << k;
    const Matrix zeros = Matrix::Zero(3, 50);
    EXPECT_EQ(gpuPerRow(zeros, 7, ctx), cpuPerRow(zeros, 7));
}

TEST(CudaTopK, KeepsExactlyKAscendingIndicesPerRow)
{
    MEPROP_REQUIRE_GPU();
    cuda::Context ctx;
    Rng rng(13);
    const int k = 37;
    const Matrix v = randomMatrix(64, 4096, rng);
    const std::vector<int> idx = gpuPerRow(v, k, ctx);
    for (int b = 0; b < 64; ++b) {
        const int* row = idx.data() + b * k;
        for (int j = 1; j < k; ++j) EXPECT_LT(row[j - 1], row[j]);
        // Every kept magnitude is >= every dropped one.
        float minKept = 1e30f;
        std::vector<char> kept(4096, 0);
        for (int j = 0; j < k; ++j) {
            kept[static_cast<std::size_t>(row[j])] = 1;
            minKept = std::min(minKept, std::fabs(v(b, row[j])));
        }
        for (int i = 0; i < 4096; ++i)
            if (!kept[static_cast<std::size_t>(i)]) {
                EXPECT_LE(std::fabs(v(b, i)), minKept);
            }
    }
}

TEST(CudaTopK, ColumnAbsSumMatchesCpu)
{
    MEPROP_REQUIRE_GPU();
    cuda::Context ctx;
    Rng rng(14);
    const Matrix dy = randomMatrix(333, 1029, rng);
    auto d = test::toDevice(dy, ctx);
    cuda::DeviceBuffer<float> score(1029);
    cuda::columnAbsSum(d.data(), 333, 1029, score.data(), ctx.stream());
    const Matrix gpu = test::toHost(score, 1, 1029, ctx);
    const Matrix cpu = dy.cwiseAbs().colwise().sum();
    EXPECT_LT(test::relDiff(gpu, cpu), 1e-5);
}

TEST(CudaTopK, UnifiedMatchesCpuSelection)
{
    MEPROP_REQUIRE_GPU();
    cuda::Context ctx;
    Rng rng(15);
    for (int n : {10, 500, 8192}) {
        for (int k : {1, 8, 64, n}) {
            if (k > n) continue;
            const Matrix dy = dyadicMatrix(50, n, rng);  // exact sums: ties included must agree
            Selection sel;
            selectComponents(dy, BackpropMode::Unified, k, rng, sel);
            auto d = test::toDevice(dy, ctx);
            cuda::DeviceBuffer<float> score(static_cast<std::size_t>(n));
            cuda::DeviceBuffer<int> idx(static_cast<std::size_t>(k));
            cuda::unifiedTopK(d.data(), 50, n, k, score.data(), idx.data(), ctx.stream());
            EXPECT_EQ(idx.download(ctx.stream()), sel.indices) << "n=" << n << " k=" << k;
        }
    }
}

// NaN and infinity (issue 10): the GPU's order is the CPU's (NaN above inf above every finite
// value, all NaNs equal, ties to the lower index) and the radix select raises the flag exactly for
// rows with a non-finite value. Before, NaN payloads ranked by their bits.
TEST(CudaTopK, NonFiniteValuesFollowTheCpuOrderAndRaiseTheFlag)
{
    MEPROP_REQUIRE_GPU();
    cuda::Context ctx;
    Rng rng(13);
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    const float negNaN = -nan;  // another NaN bit pattern
    for (int n : {7, 100, 3000, 20000}) {
        Matrix v = randomMatrix(6, n, rng);
        v(1, n / 2) = nan;
        v(1, n - 1) = negNaN;
        v(2, 0) = -inf;
        v(3, n / 3) = inf;
        v(3, n / 4) = nan;
        for (int k : {1, 2, 5}) {
            if (k > n) continue;
            EXPECT_EQ(gpuPerRow(v, k, ctx), cpuPerRow(v, k)) << "n=" << n << " k=" << k;
            for (int row = 0; row < 6; ++row) {
                const Matrix one = v.row(row);
                auto d = test::toDevice(one, ctx);
                cuda::DeviceBuffer<int> out(static_cast<std::size_t>(k));
                cuda::DeviceBuffer<unsigned> flag(1);
                flag.zero(ctx.stream());
                cuda::topKRows(d.data(), 1, n, n, k, out.data(), ctx.stream(), flag.data());
                std::vector<int> cpu(static_cast<std::size_t>(k)), scratch;
                const bool finite = topKIndices(one.data(), n, k, cpu.data(), scratch);
                EXPECT_EQ(flag.download(ctx.stream())[0] != 0, !finite) << "row " << row << " n=" << n;
            }
        }
    }
}
