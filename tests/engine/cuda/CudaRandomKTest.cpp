// The GPU's Random mode selection (cuda/RandomK.cuh) draws on the device exactly the CPU's
// components (ops/RandomK.h): row r is stream r under the key, in every size, through the
// shared-memory and the global-memory bitmap, and in the LSTM's (step, block) layout.
#include "cuda/RandomK.cuh"

#include "CudaTestSupport.h"
#include "cuda/DeviceBuffer.h"
#include "ops/RandomK.h"

#include <vector>

using namespace meprop;

namespace {

std::vector<int> cpuRows(std::uint64_t key, int rows, int n, int k)
{
    std::vector<int> out(static_cast<std::size_t>(rows) * k);
    for (int r = 0; r < rows; ++r) randomKIndices(key, static_cast<std::uint64_t>(r), n, k, out.data() + static_cast<std::size_t>(r) * k);
    return out;
}

std::vector<int> gpuRows(std::uint64_t key, int rows, int n, int k, const cuda::Context& ctx)
{
    cuda::DeviceBuffer<int> out(static_cast<std::size_t>(rows) * k);
    cuda::DeviceBuffer<unsigned> scratch(cuda::randomKScratchWords(rows, n));
    cuda::randomKRows(key, rows, n, k, out.data(), scratch.data(), ctx.stream());
    return out.download(ctx.stream());
}

}  // namespace

TEST(CudaRandomK, RowsAreTheCpuStreamsAcrossSizes)
{
    MEPROP_REQUIRE_GPU();
    cuda::Context ctx;
    for (int n : {1, 2, 31, 32, 33, 100, 500, 1023, 1025, 8192, 20000})
        for (int k : {1, 2, 5, 20, 100, 1000, n}) {
            if (k > n) continue;
            for (std::uint64_t key : {0ull, 7ull, 0xfedcba9876543210ull})
                EXPECT_EQ(gpuRows(key, 9, n, k, ctx), cpuRows(key, 9, n, k)) << "n=" << n << " k=" << k << " key=" << key;
        }
    // Many rows (a minibatch of the paper's GPU benchmark) and k = n / 2.
    EXPECT_EQ(gpuRows(42, 1024, 8192, 8, ctx), cpuRows(42, 1024, 8192, 8));
    EXPECT_EQ(gpuRows(43, 16, 4096, 2048, ctx), cpuRows(43, 16, 4096, 2048));
}

TEST(CudaRandomK, RowsBeyondSharedMemoryUseTheScratchBitmap)
{
    MEPROP_REQUIRE_GPU();
    cuda::Context ctx;
    const int n = 400000;  // 12500 words > the 12288 that fit in shared memory
    ASSERT_GT(cuda::randomKScratchWords(3, n), 0u);
    EXPECT_EQ(cuda::randomKScratchWords(3, 393216), 0u);
    for (int k : {1, 17, 5000}) EXPECT_EQ(gpuRows(5, 3, n, k, ctx), cpuRows(5, 3, n, k)) << "k=" << k;
    // The largest row kept in shared memory: a 48 KiB bitmap, the most a launch gets without opting in.
    EXPECT_EQ(gpuRows(6, 3, 393216, 17, ctx), cpuRows(6, 3, 393216, 17));
}
