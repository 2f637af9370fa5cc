#pragma once
// The Random meProp mode's selection (the paper's control): k components per example, uniformly
// at random, from counter-based draws (ops/CounterRng.h), so that the CPU and the GPU
// (cuda/RandomK.cuh randomKRows) keep the same components without the host drawing for the device.
//
// Each select (or LSTM backward) takes one 64-bit key from the run's Rng (Rng::bits). Stream s of
// that key (example b of a minibatch is stream b; the gate block j of LSTM step t is stream
// 4 t + j) keeps the k-subset that drawRandomSubset (Floyd's algorithm over the stream's own
// SplitMix64 draws) draws: every k-subset equally likely, the streams independent.
#include <cstdint>

namespace meprop {

// Writes to out[0..k) the k components of `stream` under `key` (above), ascending. Requires
// 1 <= k <= n. k <= 8: k draws into a list, sorted; else O(k + n / 32): k draws into a bitmap of
// n bits, read back in index order. Uses per-thread scratch memory.
void randomKIndices(std::uint64_t key, std::uint64_t stream, int n, int k, int* out);

}  // namespace meprop
